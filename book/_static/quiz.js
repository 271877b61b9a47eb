/* Quizzes in the lessons, checked in the reader's browser.
 *
 * The page holds each question as plain HTML written by the book's `quiz`
 * directive (book/_ext/phcpm_quiz.py), with its answer and feedback in a
 * <script type="application/json" class="phcpm-quiz-data"> element next to it.
 * This file only reads the page: it loads nothing and sends nothing, so the
 * quizzes work offline and on any static copy of the site.
 */
(function () {
  "use strict";

  function readNumber(text) {
    // What the reader typed, as a number, or null. Accepts spaces, a % sign,
    // thousands separators ("1,234" or "1 234") and a decimal comma ("9,7").
    var t = String(text).trim().replace(/%$/, "").replace(/[\s\u00a0\u202f]/g, "");
    if (t === "") return null;
    if (t.indexOf(",") >= 0 && t.indexOf(".") >= 0) {
      t = t.replace(/,/g, "");
    } else if (/^-?\d{1,3}(,\d{3})+$/.test(t)) {
      t = t.replace(/,/g, "");
    } else {
      t = t.replace(",", ".");
    }
    if (!/^-?(\d+\.?\d*|\.\d+)$/.test(t)) return null;
    return parseFloat(t);
  }

  // The words the reader sees: the feedback, led by "Right." or "Not quite." unless
  // it already starts that way (the rule of phcpm.exercises.feedback_text).
  function feedbackText(state, text) {
    if (state === "right" && !/^(right|correct)\b/i.test(text)) return "Right. " + text;
    if (state === "wrong" && !/^(not quite|no)\b/i.test(text)) return "Not quite. " + text;
    return text;
  }

  function show(question, state, text) {
    var box = question.querySelector(".phcpm-quiz-feedback");
    question.classList.remove("phcpm-quiz-is-right", "phcpm-quiz-is-wrong", "phcpm-quiz-is-empty");
    box.className = "phcpm-quiz-feedback phcpm-quiz-" + state;
    question.classList.add("phcpm-quiz-is-" + state);
    box.textContent = feedbackText(state, text);
  }

  function checkChoice(question, data) {
    var picked = question.querySelector("input[type=radio]:checked");
    if (!picked) return show(question, "empty", "Choose an answer first.");
    var i = parseInt(picked.value, 10);
    show(question, i === data.right ? "right" : "wrong", data.feedback[i]);
  }

  function checkNumeric(question, data) {
    var value = readNumber(question.querySelector(".phcpm-quiz-number").value);
    if (value === null) {
      return show(question, "empty", "Type a number, such as 12 or 9.7.");
    }
    if (Math.abs(value - data.answer) <= data.tolerance + 1e-9) {
      return show(question, "right", data.feedback);
    }
    for (var k = 0; k < data.mistakes.length; k++) {
      var m = data.mistakes[k];
      if (Math.abs(value - m.value) <= m.tolerance + 1e-9) {
        return show(question, "wrong", m.feedback);
      }
    }
    show(question, "wrong", value < data.answer ? data.too_low : data.too_high);
  }

  function checkOrder(question, data) {
    var items = question.querySelectorAll(".phcpm-quiz-order > li");
    var placed = 0;
    for (var k = 0; k < items.length; k++) {
      if (parseInt(items[k].getAttribute("data-index"), 10) === k) placed++;
    }
    if (placed === items.length) return show(question, "right", data.feedback);
    show(
      question,
      "wrong",
      placed + " of " + items.length + " items are in the right place. " + data.feedback_wrong
    );
  }

  function move(button, up) {
    var li = button.closest("li");
    var list = li.parentNode;
    if (up && li.previousElementSibling) {
      list.insertBefore(li, li.previousElementSibling);
    } else if (!up && li.nextElementSibling) {
      list.insertBefore(li.nextElementSibling, li);
    }
    button.focus();
  }

  function setUp(question) {
    var data = JSON.parse(question.querySelector("script.phcpm-quiz-data").textContent);
    var kind = question.getAttribute("data-type");
    var check = { choice: checkChoice, numeric: checkNumeric, order: checkOrder }[kind];
    question.querySelector(".phcpm-quiz-check").addEventListener("click", function () {
      check(question, data);
    });
    var number = question.querySelector(".phcpm-quiz-number");
    if (number) {
      number.addEventListener("keydown", function (event) {
        if (event.key === "Enter") check(question, data);
      });
    }
    question.querySelectorAll(".phcpm-quiz-up, .phcpm-quiz-down").forEach(function (b) {
      b.addEventListener("click", function () {
        move(b, b.classList.contains("phcpm-quiz-up"));
      });
    });
    question.classList.add("phcpm-quiz-ready");
  }

  function start() {
    document.querySelectorAll(".phcpm-quiz-question").forEach(setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
