package text_test

import (
	"fmt"

	"github.com/payfeedback/payfeedback/internal/text"
)

func Example() {
	reason := "商品与描述不符，要求退款"
	fmt.Println(text.Clip(reason, 10)) // at most 10 bytes, whole characters
	fmt.Println(text.Pad("原因", 6) + "|")
	fmt.Println(text.Pad("why", 6) + "|")
	fmt.Println(text.Terminal("merchant said \x1b[2Jhi"))
	// Output:
	// 商品与…
	// 原因  |
	// why   |
	// merchant said \x1b[2Jhi
}
