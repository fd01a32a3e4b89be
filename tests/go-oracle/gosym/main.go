// gosym prints the name of every function in a Go ELF binary's pclntab, one
// per line, as Go's own debug/gosym reads it: the oracle for Portcullis's
// pclntab reader. Go 1.20 and later tables differ from Go 1.18's in their
// magic only (debug/gosym reads ver118 and ver120 on one code path since Go
// 1.20), so this build with Debian's Go 1.19 reads them with the magic set
// back to Go 1.18's.
package main

import (
	"debug/elf"
	"debug/gosym"
	"encoding/binary"
	"fmt"
	"log"
	"os"
)

func main() {
	if len(os.Args) != 2 {
		log.Fatal("usage: gosym BINARY")
	}
	f, err := elf.Open(os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	section := f.Section(".gopclntab")
	text := f.Section(".text")
	if section == nil || text == nil {
		log.Fatal("no .gopclntab or .text section")
	}
	data, err := section.Data()
	if err != nil {
		log.Fatal(err)
	}
	var order binary.ByteOrder = binary.LittleEndian
	if f.ByteOrder == binary.BigEndian {
		order = binary.BigEndian
	}
	if len(data) >= 4 && order.Uint32(data) == 0xfffffff1 {
		order.PutUint32(data, 0xfffffff0)
	}
	table, err := gosym.NewTable(nil, gosym.NewLineTable(data, text.Addr))
	if err != nil {
		log.Fatal(err)
	}
	for _, fn := range table.Funcs {
		fmt.Println(fn.Name)
	}
}
