// render: reads HTML on stdin and writes it back normalised.
package main

import (
	"log"
	"os"

	"golang.org/x/net/html"
)

func main() {
	doc, err := html.Parse(os.Stdin)
	if err != nil {
		log.Fatal(err)
	}
	if err := html.Render(os.Stdout, doc); err != nil {
		log.Fatal(err)
	}
}
