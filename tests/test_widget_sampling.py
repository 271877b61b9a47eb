"""The sampling toolkit without a browser: set values, read the result text."""

from __future__ import annotations

import base64
import re

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")

from phcpm import sampling  # noqa: E402
from widgets.common import download_html  # noqa: E402
from widgets.sampling import SamplingToolkit  # noqa: E402


@pytest.fixture
def tool():
    return SamplingToolkit()


def _text(value: str) -> str:
    return re.sub(r"<[^>]+>", " ", value)


def test_it_opens_with_a_result_and_exposes_its_widget(tool):
    assert "385" in tool.size_result.value  # 50 %, ± 5 points, 95 %
    assert "phcpm-sampling-result" in tool.size_result._dom_classes
    assert "phcpm-sampling-margin" in tool.margin._dom_classes
    bundle = tool._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert tool.margin.continuous_update is False


def test_changing_the_margin_updates_the_sentence(tool):
    tool.margin.value = 3
    assert "1,068" in tool.size_result.value  # same number the browser test expects
    tool.deff.value = 2
    assert f"{sampling.sample_size_proportion(0.5, 0.03, deff=2):,}" in tool.size_result.value


def test_population_correction_and_bad_population(tool):
    tool.population.value = "1000"
    assert f"{sampling.sample_size_proportion(0.5, 0.05, population=1000):,}" in _text(
        tool.size_result.value
    )
    tool.population.value = "a thousand"
    assert "not a number" in tool.size_error.value
    tool.population.value = ""
    assert tool.size_error.value == "" and "385" in tool.size_result.value


def test_lqas_tab_shows_the_19_13_rule_and_a_download(tool):
    assert "13 of 19" in tool.lqas_result.value
    tool.lqas_n.value = 12
    assert f"{sampling.lqas_decision_rule(12, 0.8, 0.5)} of 12" in tool.lqas_result.value
    assert "download=" in tool.lqas_download.value
    tool.lqas_lower.value = 85  # above the target: a message, not a crash
    assert "lower threshold" in tool.lqas_error.value.lower()


def _survey() -> pd.DataFrame:
    rng = np.random.default_rng(5)
    areas = np.repeat([f"Area {i}" for i in range(1, 5)], 19)
    true = np.repeat([0.9, 0.85, 0.5, 0.4], 19)
    return pd.DataFrame(
        {
            "district": "Kilima",
            "supervision_area": areas,
            "respondent": np.tile(np.arange(1, 20), 4),
            "anc4": (rng.random(76) < true).astype(int),
            "penta3": (rng.random(76) < true).astype(int),
        }
    )


def test_classify_tab_with_data(tool):
    survey = _survey()
    tool.load_survey(survey)
    assert tool.area_col.value == "supervision_area"
    assert set(tool.indicators.value) == {"anc4", "penta3"}
    tool.classify()
    expected = sampling.classify_areas(survey, "supervision_area", ["anc4", "penta3"], 0.8)
    pd.testing.assert_frame_equal(tool.classified, expected)
    district = sampling.district_coverage(survey, "supervision_area", "anc4").iloc[0]
    assert f"district coverage {district.coverage:.0%}" in tool.classify_result.value
    assert "lqas_classification.csv" in tool.classify_download.value


def test_classify_errors_are_shown_and_the_tool_stays_usable(tool):
    tool.classify_button.click()  # nothing loaded yet
    assert "No survey loaded" in tool.classify_error.value
    bad = _survey().assign(anc4="maybe")
    tool.load_survey(bad)
    tool.classify_button.click()
    assert "not yes/no" in tool.classify_error.value
    tool.load_survey(_survey())
    tool.classify_button.click()
    assert "reaches" in tool.classify_result.value


def test_draw_tab_draws_the_same_sample_as_phcpm(tool):
    frame = pd.DataFrame(
        {"record_id": range(1, 301), "org_unit_id": np.repeat(["A", "B", "C"], 100)}
    )
    tool.load_register(frame)
    tool.method.value = "Systematic (every k-th)"
    tool.draw_n.value = 25
    tool.seed.value = 7
    tool.draw_button.click()
    expected, record = sampling.draw_sample(frame, 25, "systematic", seed=7)
    pd.testing.assert_frame_equal(tool.sample, expected)
    assert "25 rows drawn" in tool.draw_record.value
    assert "sample.csv" in tool.draw_download.value
    tool.method.value = "Two-stage cluster"
    assert tool.column.value == "org_unit_id" and not tool.per_cluster.disabled
    tool.draw_n.value = 2
    tool.draw_button.click()
    assert tool.sample["org_unit_id"].nunique() == 2
    tool.draw_n.value = 5000
    tool.method.value = "Simple random"
    tool.draw_button.click()
    assert "only 300" in tool.draw_error.value


def test_download_link_carries_the_bytes():
    link = download_html(b"a,b\r\n1,2\r\n", "x.csv", "Download")
    payload = re.search(r'base64,([^"]+)"', link).group(1)
    assert base64.b64decode(payload) == b"a,b\r\n1,2\r\n"


def test_oc_curve_is_an_image_with_alt_text(tool):
    assert "<img src='data:image/png;base64," in tool.lqas_plot.value
    assert "alt='Operating characteristic curve for the rule 13 of 19" in tool.lqas_plot.value
