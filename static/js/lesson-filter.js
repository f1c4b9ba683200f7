/*
 * The lecture form (templates/submissions/lecture_form.html): the catalogue lesson list shows only
 * the lessons of the subject and grade chosen; a choice that no longer fits is cleared. The server
 * checks the match again (submissions.services.lecture_validate).
 */
(function () {
  "use strict";
  var lesson = document.getElementById("id_lesson");
  var subject = document.getElementById("id_subject");
  var grade = document.getElementById("id_grade");
  if (!lesson || !subject || !grade) {
    return;
  }
  function filter() {
    Array.prototype.forEach.call(lesson.options, function (option) {
      if (!option.value) {
        return;
      }
      var fits = option.dataset.subject === subject.value && option.dataset.grade === grade.value;
      option.hidden = !fits;
      option.disabled = !fits;
      if (!fits && option.selected) {
        lesson.value = "";
      }
    });
  }
  subject.addEventListener("change", filter);
  grade.addEventListener("change", filter);
  filter();
})();
