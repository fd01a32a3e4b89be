// zipread: lists the files of a zip archive.
package main

import (
	"archive/zip"
	"fmt"
	"log"
	"os"
)

func main() {
	archive, err := zip.OpenReader(os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	defer archive.Close()
	for _, f := range archive.File {
		fmt.Println(f.Name, f.UncompressedSize64)
	}
}
