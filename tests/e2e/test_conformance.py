"""The upstream Jupyter kernel conformance suite (jupyter_kernel_test),
configured for Go."""
import jupyter_kernel_test as jkt

DISPLAY = 'import "github.com/gossl/gossl/display"\n'


class GosslConformance(jkt.KernelTests):
    kernel_name = "gossl"
    language_name = "go"
    file_extension = ".go"

    code_hello_world = 'import "fmt"\nfmt.Println("hello, world")'
    code_stderr = 'import (\n\t"fmt"\n\t"os"\n)\nfmt.Fprintln(os.Stderr, "to stderr")'

    completion_samples = [{"text": "fmt.Sprin"}, {"text": "strings.ToUpp"}]

    complete_code_samples = ["x := 1", 'fmt.Println("hi")', "func f() int { return 1 }", ""]
    incomplete_code_samples = ["func f() {", "xs := []int{1,", "s := `raw", "if true {\n\tx := 1"]
    invalid_code_samples = ["x := )", "func f() { ) }"]

    code_generate_error = 'panic("boom")'

    code_execute_result = [
        {"code": "6*7", "result": "42"},
        {"code": "1 + 2", "result": "3"},
    ]
    code_history_pattern = "6?7"
    supported_history_operations = ("tail", "range", "search")

    code_inspect_sample = "fmt.Println"

    code_display_data = [
        {"code": DISPLAY + 'display.HTML("<b>bold</b>")', "mime": "text/html"},
        {"code": DISPLAY + 'display.Markdown("# title")', "mime": "text/markdown"},
    ]
    code_clear_output = DISPLAY + "display.Clear(false)"
