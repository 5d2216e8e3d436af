/* The Party Question: mark the kernel-free self-checks in the browser and remember the reader's answers
 * (localStorage, this browser only; nothing is sent anywhere). */
(function () {
  "use strict";
  var KEY = "party-question:quiz:";
  function store(k, v) { try { localStorage.setItem(KEY + k, v); } catch (e) { /* private mode: no memory */ } }
  function recall(k) { try { return localStorage.getItem(KEY + k); } catch (e) { return null; } }

  function mark(form, chosen, remember) {
    var feedback = form.querySelector(".course-feedback");
    if (!chosen) { feedback.textContent = "Choose one of the answers first."; return; }
    var expl = form.querySelector('.course-explanations [data-option="' + chosen + '"]');
    var right = expl.dataset.correct === "true";
    feedback.innerHTML = "";
    var verdict = document.createElement("strong");
    verdict.textContent = right ? "Correct. " : "Not quite. ";
    var why = document.createElement("span");
    why.textContent = expl.textContent + (right ? "" : " Try another answer.");
    feedback.appendChild(verdict); feedback.appendChild(why);
    feedback.className = "course-feedback " + (right ? "course-right" : "course-wrong");
    if (remember) store(form.closest(".course-quiz").dataset.quiz + ":" + form.dataset.q, chosen);
  }

  function progress(section) {
    var forms = section.querySelectorAll(".course-q");
    var done = 0, right = 0;
    forms.forEach(function (f) {
      var fb = f.querySelector(".course-feedback");
      if (fb.classList.contains("course-right")) { done++; right++; }
      else if (fb.classList.contains("course-wrong")) { done++; }
    });
    var p = section.querySelector(".course-quiz-progress");
    if (done) p.textContent = "You have answered " + done + " of " + forms.length + " questions; " + right +
      " correctly. Your answers stay in this browser only.";
  }

  document.querySelectorAll(".course-quiz").forEach(function (section) {
    section.querySelectorAll(".course-q").forEach(function (form) {
      var saved = recall(section.dataset.quiz + ":" + form.dataset.q);
      if (saved) {
        var input = form.querySelector('input[value="' + saved + '"]');
        if (input) { input.checked = true; mark(form, saved, false); }
      }
      form.addEventListener("submit", function (ev) {
        ev.preventDefault();
        var checked = form.querySelector("input:checked");
        mark(form, checked && checked.value, true);
        progress(section);
      });
    });
    progress(section);
  });
})();
