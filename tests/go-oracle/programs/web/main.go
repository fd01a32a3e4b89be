// web: an HTTP server that parses multipart forms and the HTML it is sent.
package main

import (
	"fmt"
	"log"
	"net/http"

	"golang.org/x/net/html"
)

func upload(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	doc, err := html.Parse(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	fmt.Fprintf(w, "%d fields, root %v\n", len(r.MultipartForm.Value), doc.Type)
}

func main() {
	http.HandleFunc("/upload", upload)
	log.Fatal(http.ListenAndServe("127.0.0.1:8080", nil))
}
