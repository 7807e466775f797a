# nbgrader configuration for AISys Labs (used by instructors and by tests/).
import warnings

c = get_config()  # noqa: F821  (provided by nbgrader when it loads this file)

# nbgrader 0.9.6 with SQLAlchemy 2 prints "SAWarning: Object of type <SubmittedAssignment> not in session" while
# it creates submissions; the rows are written all the same (the course's tests check every grade).
warnings.filterwarnings("ignore", message=r"Object of type <Submitted", module=r"nbgrader\.api")

c.CourseDirectory.course_id = "aisys-labs"
# Reference solutions with visible and hidden tests live in solutions/; the student
# notebooks that `nbgrader generate_assignment` makes from them are committed in labs/.
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "labs"
c.CourseDirectory.db_url = "sqlite:///gradebook.db"

# Per-cell time limit when grading: above the slowest honest cell of any lab (about
# 30 s on 2 CPU cores), so a submission that loops forever is stopped and graded.
c.Execute.timeout = 120
c.Execute.startup_timeout = 120

# What a student sees in place of a solution.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}

# Collecting from an LMS download (`nbgrader zip_collect`): put each student's file in downloaded/<lab>/archive/,
# named <student_id>_<lab>.ipynb, or a zip <student_id>_<lab>.zip holding <lab>.ipynb (student ids: letters,
# digits, "." and "-", no "_"). Files that follow neither rule are skipped and listed in the report.
c.ZipCollectApp.collector_plugin = "aisys.grading.autograde.SubmissionCollector"

# Grading that only real work can pass (aisys/grading/): the notebook to run is rebuilt from the source (every
# instructor cell from the gradebook, the student's answers and added cells in place), each student cell is
# reviewed before it runs, and the kernel runs isolated (bubblewrap) with a watch installed before the first cell.
from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, ClearOutput, DeduplicateIds,  # noqa: E402
                                    IgnorePattern, LimitOutput, OverwriteCells, OverwriteKernelspec, SaveAutoGrades)
from aisys.grading.autograde import HideHiddenTests, IsolatedExecute, RebuildAndReview  # noqa: E402
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor  # noqa: E402
from nbgrader.preprocessors import GetGrades  # noqa: E402

c.Autograde.sanitize_preprocessors = [ClearOutput, DeduplicateIds, OverwriteKernelspec, RebuildAndReview,
                                      OverwriteCells, CheckCellMetadata]
c.Autograde.autograde_preprocessors = [IsolatedExecute, IgnorePattern, LimitOutput, SaveAutoGrades,
                                       AssignLatePenalties, CheckCellMetadata]
c.IsolatedExecute.timeout = 120
c.IsolatedExecute.startup_timeout = 120
# A library warning on stderr must not zero a test cell (nbgrader scores any stderr as a failure): drop stderr
# output that is a Python warning. Failing tests still fail: their errors are error outputs, not stderr.
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = r"\w*Warning\b"
# "auto": isolate with bubblewrap where it works, else grade unisolated and say so in the report;
# "required" on a shared grading server.
c.IsolatedExecute.isolation = "auto"

# Feedback returned to students shows the visible tests, their results and each part's points, and for a failed
# hidden test only its error message: never the hidden tests' source.
c.GenerateFeedback.preprocessors = [GetGrades, HideHiddenTests, CSSHTMLHeaderPreprocessor]
