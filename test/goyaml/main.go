// goyaml: parse YAML the way kubectl and the apiserver do (sigs.k8s.io/yaml's goyaml.v2, a
// YAML 1.1 parser that breaks lines at U+0085, U+2028 and U+2029), and print each document
// as one line of JSON. The tests compare that with what the renderer meant to write.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	yaml "sigs.k8s.io/yaml/goyaml.v2"
)

func normalise(value interface{}) (interface{}, error) {
	switch v := value.(type) {
	case map[interface{}]interface{}:
		out := map[string]interface{}{}
		for key, item := range v {
			name, ok := key.(string)
			if !ok {
				name = fmt.Sprintf("%v", key)
			}
			n, err := normalise(item)
			if err != nil {
				return nil, err
			}
			out[name] = n
		}
		return out, nil
	case []interface{}:
		out := make([]interface{}, len(v))
		for i, item := range v {
			n, err := normalise(item)
			if err != nil {
				return nil, err
			}
			out[i] = n
		}
		return out, nil
	default:
		return v, nil
	}
}

func main() {
	decoder := yaml.NewDecoder(os.Stdin)
	for {
		var doc interface{}
		err := decoder.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		normalised, err := normalise(doc)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		line, err := json.Marshal(normalised)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Println(string(line))
	}
}
