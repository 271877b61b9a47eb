"""The sampling toolkit without a browser: set values, read the result text.

Expected numbers come from phcpm.sampling (tested against the published worked
examples in tests/test_sampling.py). Uploads are simulated the way ipywidgets 8
delivers them (a tuple of dicts whose ``content`` is a memoryview).
"""

from __future__ import annotations

import base64
import io
import re

import matplotlib
import numpy as np
import openpyxl
import pandas as pd
import pytest

matplotlib.use("Agg")

from phcpm import sampling  # noqa: E402
from phcpm.errors import InputError  # noqa: E402
from phcpm.intervals import wilson_limits  # noqa: E402
from tests.widget_helpers import corpus_files, upload
from tests.widget_helpers import visible_text as _text
from widgets.common import GENERIC_ERROR, Tool, download_html  # noqa: E402
from widgets.sampling import SamplingToolkit  # noqa: E402


@pytest.fixture
def tool():
    return SamplingToolkit()


def test_it_opens_with_a_result_and_exposes_its_widget(tool):
    assert "385" in tool.size_result.value  # 50 %, ± 5 points, 95 %
    assert "phcpm-sampling-result" in tool.size_result._dom_classes
    assert "phcpm-sampling-margin" in tool.margin._dom_classes
    bundle = tool._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/plain"] == (
        "Sampling toolkit: sample size, LQAS rules, classify areas, draw a sample"
    )
    assert tool.margin.continuous_update is False
    assert isinstance(tool, Tool)
    assert {"phcpm-app", "phcpm-sampling"} <= set(tool.widget._dom_classes)
    assert tool.widget.children[0] is tool._stylesheet
    assert "phcpm-error" in tool.size_error._dom_classes


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
    assert 'role="alert"' in tool.size_error.value
    assert "No result" in tool.size_result.value
    tool.population.value = ""
    assert tool.size_error.value == "" and "385" in tool.size_result.value


def test_lqas_tab_shows_the_19_13_rule_and_a_download(tool):
    assert "13 of 19" in tool.lqas_result.value
    tool.tabs.selected_index = 1  # the curve is drawn once its tab is open
    tool.lqas_n.value = 12
    assert f"{sampling.lqas_decision_rule(12, 0.8, 0.5)} of 12" in tool.lqas_result.value
    tool.lqas_download.button.click()
    assert 'download="lqas_decision_rules.xlsx"' in tool.lqas_download.link.value
    tool.lqas_lower.value = 85  # above the target: a message, not a crash
    assert "lower threshold" in tool.lqas_error.value.lower()
    assert "No rule" in tool.lqas_result.value and tool.lqas_plot.value == ""
    tool.lqas_lower.value = 50
    assert tool.lqas_error.value == "" and "<img" in tool.lqas_plot.value


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
    pd.testing.assert_frame_equal(tool.classified, sampling.area_intervals(expected))
    # Without populations there is no district estimate, only a plain reason.
    assert "district coverage" not in tool.classify_result.value
    assert "needs the population of each area" in _text(tool.classify_result.value)
    tool.classify_download.button.click()
    assert 'download="lqas_classification.xlsx"' in tool.classify_download.link.value
    # Plain headings: the questions by name, never their codes.
    assert "Four or more antenatal visits" in tool.classify_result.value
    assert "Penta 3 vaccine" in tool.classify_result.value
    assert ">anc4<" not in tool.classify_result.value
    assert "Supervision area" in tool.classify_result.value
    assert "supervision_area" not in tool.classify_result.value.split("<table")[1]


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
    assert "Record id" in tool.draw_result.value and "record_id" not in tool.draw_result.value
    assert "Interval (every k-th row)" in tool.draw_record.value
    tool.draw_download.button.click()
    data = base64.b64decode(re.search(r'base64,([^"]+)"', tool.draw_download.link.value).group(1))
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Sample", "How it was drawn"]
    assert [c.value for c in book["Sample"][1]][:2] == ["Record id", "Org unit id"]
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


def test_oc_curve_is_drawn_when_its_tab_opens_and_follows_the_inputs(tool):
    # Not sent with the page while its tab is closed (about 50 kB on a slow link)...
    assert tool.lqas_plot.value == "" and "13 of 19" in tool.lqas_result.value
    tool.lqas_n.value = 12
    assert tool.lqas_plot.value == ""
    # ...drawn from the current inputs when the tab opens, and redrawn after.
    tool.tabs.selected_index = 1
    assert "for the rule 8 of 12" in tool.lqas_plot.value
    tool.lqas_n.value = 19
    assert 'alt="Operating characteristic curve for the rule 13 of 19' in tool.lqas_plot.value


def test_oc_curve_is_an_image_with_alt_text(tool):
    tool.tabs.selected_index = 1
    assert '<img src="data:image/png;base64,' in tool.lqas_plot.value
    payload = re.search(r'base64,([^"]+)"', tool.lqas_plot.value).group(1)
    assert base64.b64decode(payload).startswith(b"\x89PNG")
    assert 'alt="Operating characteristic curve for the rule 13 of 19' in tool.lqas_plot.value


SURVEY_CSV = _survey().to_csv(index=False).encode()


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("junk.csv", bytes(range(256)) * 40, "not a table"),
        ("empty.csv", b"", "0 bytes"),
        ("headings.csv", b"supervision_area,anc4\n", "headings but no"),
    ],
)
def test_a_bad_survey_upload_gives_a_message_and_a_good_one_then_works(tool, name, data, words):
    tool.survey_upload.value = upload(name, data)
    text = _text(tool.classify_error.value)
    assert words in text and "What to do" in text and "Traceback" not in text
    assert tool.survey is None and tool.survey_upload.value == ()
    tool.survey_upload.value = upload("survey.csv", SURVEY_CSV)
    assert tool.classify_error.value == ""
    assert "Loaded 76 rows" in _text(tool.classify_note.value)
    tool.classify_button.click()
    expected = sampling.classify_areas(_survey(), "supervision_area", ["anc4", "penta3"], 0.8)
    assert tool.classified["classification"].tolist() == expected["classification"].tolist()
    assert tool.classify_note.value == ""


def test_an_uploaded_register_is_sampled(tool):
    frame = pd.DataFrame({"record_id": range(1, 101), "ward": np.repeat(["A", "B"], 50)})
    tool.register_upload.value = upload("register.csv", frame.to_csv(index=False).encode())
    assert "Loaded a list of 100 rows" in _text(tool.draw_note.value)
    assert tool.register_upload.value == ()
    tool.method.value = "Simple random"
    tool.draw_n.value = 10
    tool.draw_button.click()
    expected, _ = sampling.draw_sample(tool.register, 10, "srs", seed=tool.seed.value)
    pd.testing.assert_frame_equal(tool.sample, expected)
    assert len(tool.sample) == 10


def test_an_unexpected_failure_gives_the_generic_message(tool, monkeypatch):
    tool.load_register(pd.DataFrame({"record_id": range(1, 51)}))

    def broken(*args, **kwargs):
        raise RuntimeError("internal detail the user must not see")

    monkeypatch.setattr(sampling, "draw_sample", broken)
    tool.draw_button.click()
    assert GENERIC_ERROR in _text(tool.draw_error.value)
    assert "internal detail" not in tool.draw_error.value
    assert "RuntimeError" in tool.last_error
    monkeypatch.undo()
    tool.draw_button.click()
    assert tool.draw_error.value == "" and tool.sample is not None


# --------------------------------------------------------------------------- phcpm additions


def test_classification_counts_by_hand():
    # Two indicators, three areas: anc4 reaches in A and B, is below in C;
    # penta3 is below in A, has no answers in B, and reaches in C.
    classified = pd.DataFrame(
        {
            "area": ["A", "A", "B", "B", "C", "C"],
            "indicator": ["anc4", "penta3"] * 3,
            "classification": [
                "reaches target",
                "below target",
                "reaches target",
                "no answers",
                "below target",
                "reaches target",
            ],
        }
    )
    counts = sampling.classification_counts(classified)
    assert counts.columns.tolist() == ["indicator", "reaching", "below", "no_answers", "areas"]
    assert counts.to_dict("records") == [
        {"indicator": "anc4", "reaching": 2, "below": 1, "no_answers": 0, "areas": 3},
        {"indicator": "penta3", "reaching": 1, "below": 1, "no_answers": 1, "areas": 3},
    ]


def test_classification_counts_of_classify_areas():
    survey = _survey()
    classified = sampling.classify_areas(survey, "supervision_area", ["anc4", "penta3"], 0.8)
    counts = sampling.classification_counts(classified).set_index("indicator")
    for indicator, rows in classified.groupby("indicator"):
        assert counts.loc[indicator, "below"] == (rows["classification"] == "below target").sum()
        assert counts.loc[indicator, "areas"] == 4
    with pytest.raises(InputError, match="classification"):
        sampling.classification_counts(classified.drop(columns="classification"))


def test_plot_oc_curve_draws_the_curve_and_both_thresholds():
    fig = sampling.plot_oc_curve(19, 13, 0.8, 0.5)
    ax = fig.axes[0]
    curve, target, lower = ax.lines
    expected = sampling.oc_curve(19, 13)
    assert np.allclose(curve.get_xdata(), expected["p"] * 100)
    assert np.allclose(curve.get_ydata(), expected["prob_classified_reaching"] * 100)
    assert target.get_xdata()[0] == pytest.approx(80) and target.get_linestyle() == "--"
    assert lower.get_xdata()[0] == pytest.approx(50) and lower.get_linestyle() == ":"
    # At the target the curve reads 1 - alpha (Valadez et al. 2003): about 93 % for 13 of 19.
    alpha, _ = sampling.lqas_risks(19, 13, 0.8, 0.5)
    assert np.interp(80, curve.get_xdata(), curve.get_ydata()) == pytest.approx(100 * (1 - alpha))
    # The default lower threshold is the target minus 30 points.
    default = sampling.plot_oc_curve(19, 13, 0.8).axes[0].lines[2]
    assert default.get_xdata()[0] == pytest.approx(50)
    with pytest.raises(InputError):
        sampling.plot_oc_curve(19, 13, 0.8, 0.9)


def test_a_failed_upload_leaves_no_old_classification_or_sample():
    tool = SamplingToolkit()
    tool.survey_example.click()
    assert "reaches" in tool.classify_result.value and tool.classify_box.children
    tool.classify_download.button.click()
    tool.survey_upload.value = upload("junk.csv", bytes(range(256)) * 40)
    assert "not a table" in _text(tool.classify_error.value)
    assert tool.classify_result.value == "" and tool.classify_box.children == ()
    assert tool.classify_download.link.value == "" and tool.survey is None
    tool.register_example.click()
    tool.draw_button.click()
    assert tool.draw_box.children and tool.sample is not None
    tool.register_upload.value = upload("empty.csv", b"")
    assert "0 bytes" in _text(tool.draw_error.value)
    assert tool.draw_box.children == () and tool.draw_result.value == ""
    assert tool.register is None and tool.sample is None


def test_a_changed_choice_removes_the_sample_drawn_with_the_old_one():
    tool = SamplingToolkit()
    tool.register_example.click()
    tool.draw_button.click()
    assert tool.draw_box.children
    tool.draw_n.value = 12
    assert tool.draw_box.children == () and tool.sample is None
    tool.draw_button.click()
    assert len(tool.sample) == 12


def test_a_changed_classify_choice_reclassifies_at_once():
    tool = SamplingToolkit()
    tool.survey_example.click()
    before = tool.classified
    tool.classify_target.value = 50
    assert tool.classified is not None and not tool.classified.equals(before)
    assert (tool.classified["classification"] == "reaches target").sum() >= (
        before["classification"] == "reaches target"
    ).sum()


def test_upload_buttons_show_no_file_count():
    tool = SamplingToolkit()
    for button in (tool.survey_upload, tool.register_upload):
        assert "phcpm-upload" in button._dom_classes and button.tooltip == button.description


_CORPUS_TOOL: dict = {}


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.name)
def test_no_corpus_file_reaches_the_generic_message(path):
    """Any file a user may upload as a survey or a list gives data or a specific message."""
    if "tool" not in _CORPUS_TOOL:
        _CORPUS_TOOL["tool"] = SamplingToolkit()
    tool = _CORPUS_TOOL["tool"]
    data = path.read_bytes()
    tool.survey_upload.value = upload(path.name, data)
    if not tool.classify_error.value:
        tool.classify_button.click()
    tool.register_upload.value = upload(path.name, data)
    if not tool.draw_error.value:
        tool.draw_button.click()
    for box in (tool.classify_error, tool.draw_error):
        assert GENERIC_ERROR not in _text(box.value), (path.name, tool.last_error)
    if tool.classify_error.value:
        assert tool.classify_box.children == ()
    if tool.draw_error.value:
        assert tool.draw_box.children == ()


def _download_bytes(link: str) -> bytes:
    return base64.b64decode(re.search(r'base64,([^"]+)"', link).group(1))


def test_areas_show_their_wilson_interval(tool):
    survey = _survey()
    tool.load_survey(survey)
    tool.classify()
    row = tool.classified.iloc[0]
    lo, hi = (float(np.ravel(x)[0]) for x in wilson_limits(int(row["yes"]), int(row["n"])))
    cell = f"{100 * row['coverage']:.0f} % ({100 * lo:.0f}–{100 * hi:.0f} %)"
    assert cell in _text(tool.classify_result.value)
    tool.classify_download.button.click()
    data = _download_bytes(tool.classify_download.link.value)
    sheets = pd.read_excel(io.BytesIO(data), sheet_name=None, header=None)
    text = sheets["Classification"].astype(str).to_string()
    assert "Lower end of the 95 % confidence interval" in text
    assert "needs the population" in sheets["District estimate"].astype(str).to_string()


def test_populations_in_a_column_give_the_weighted_district_estimate(tool):
    pops = {"Area 1": 1000, "Area 2": 1000, "Area 3": 20000, "Area 4": 20000}
    survey = _survey().assign(population=lambda d: d["supervision_area"].map(pops))
    tool.load_survey(survey)
    assert tool.population_col.value == "population"
    assert "population" not in tool.indicators.value
    tool.classify()
    weighted = sampling.district_coverage(survey, "supervision_area", "anc4", weights=pops)
    row = weighted.iloc[0]
    assert f"district coverage {100 * row.coverage:.0f} %" in _text(tool.classify_result.value)
    assert f"{100 * row.ci_lower:.0f} to {100 * row.ci_upper:.0f} %" in _text(
        tool.classify_result.value
    )
    # Weighting changes the answer: the two small, high-coverage areas count for little.
    plain = sampling.district_coverage(survey, "supervision_area", "anc4").iloc[0]
    assert abs(row.coverage - plain.coverage) > 0.05
    tool.classify_download.button.click()
    data = _download_bytes(tool.classify_download.link.value)
    district = pd.read_excel(io.BytesIO(data), sheet_name="District estimate", header=None)
    assert "weighted by population" in district.astype(str).to_string()


def test_typed_populations_and_bad_ones(tool):
    survey = _survey()
    tool.load_survey(survey)
    assert tool.area_population.value.splitlines()[0] == "Area 1: "
    pops = {"Area 1": 1000, "Area 2": 1000, "Area 3": 20000, "Area 4": 20000}
    tool.area_population.value = "\n".join(f"{a}: {p:,}" for a, p in pops.items())
    assert tool.classify_error.value == ""
    row = sampling.district_coverage(survey, "supervision_area", "anc4", weights=pops).iloc[0]
    assert f"district coverage {100 * row.coverage:.0f} %" in _text(tool.classify_result.value)
    tool.area_population.value = "Area 1: 1000\nArea 2: many"
    assert "not a number" in tool.classify_error.value
    assert tool.classify_result.value == "" or "district coverage" not in tool.classify_result.value
    tool.area_population.value = "Area 1: 1000\nArea 2: 500"
    assert "No population size for 2 area(s)" in tool.classify_error.value
    tool.area_population.value = ""
    assert tool.classify_error.value == ""
    assert "needs the population of each area" in _text(tool.classify_result.value)
