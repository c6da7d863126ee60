// Command gen writes madmin admin-API encryption vectors for the algorithms a normal amd64
// MinIO never sends (ChaCha20-Poly1305: id 1, PBKDF2 + AES-GCM: id 2) and multi-fragment
// bodies, built with sio-go exactly as madmin's EncryptData does, and checks that madmin's
// own DecryptData (the code MinIO runs) opens every one before printing it.
//
//	cd test/vectors/gen && go run . > ../madmin-generated.json
package main

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"log"
	"os"

	"github.com/minio/madmin-go/v3"
	"github.com/secure-io/sio-go"
	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/pbkdf2"
)

type vector struct {
	Password      string `json:"password"`
	CiphertextHex string `json:"ciphertextHex"`
	AlgorithmID   int    `json:"algorithmId"`
	PlaintextHex  string `json:"plaintextHex"`
}

func random(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		log.Fatal(err)
	}
	return b
}

func encrypt(id byte, password string, data []byte) []byte {
	salt := random(32)
	var stream *sio.Stream
	var err error
	switch id {
	case 0, 1:
		key := argon2.IDKey([]byte(password), salt, 1, 64*1024, 4, 32)
		if id == 0 {
			stream, err = sio.AES_256_GCM.Stream(key)
		} else {
			stream, err = sio.ChaCha20Poly1305.Stream(key)
		}
	case 2:
		stream, err = sio.AES_256_GCM.Stream(pbkdf2.Key([]byte(password), salt, 8192, 32, sha256.New))
	}
	if err != nil {
		log.Fatal(err)
	}
	nonce := random(stream.NonceSize())
	var out bytes.Buffer
	out.Write(salt)
	out.WriteByte(id)
	out.Write(nonce)
	w := stream.EncryptWriter(&out, nonce, nil)
	if _, err := w.Write(data); err != nil {
		log.Fatal(err)
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}
	return out.Bytes()
}

func main() {
	cases := []struct {
		id       byte
		password string
		data     []byte
	}{
		{1, "", nil},
		{1, "chacha-secret", []byte(`{"name":"_","roleARN":"arn:minio:iam:::role/oxnUw3DAuQF1uggjXGxI2AmW8IA"}`)},
		{1, "chacha-secret", bytes.Repeat([]byte{'c'}, 16*1024*2)},
		{2, "", nil},
		{2, "pbkdf2-secret", []byte("config_url=https://127.0.0.1:6443/.well-known/openid-configuration client_id=sts.amazonaws.com")},
		{2, "pbkdf2-secret", bytes.Repeat([]byte{'p'}, 16*1024+5)},
		{0, "aes-secret", bytes.Repeat([]byte{'a'}, 16*1024*3+1)},
	}
	var vectors []vector
	for _, c := range cases {
		ciphertext := encrypt(c.id, c.password, c.data)
		plaintext, err := madmin.DecryptData(c.password, bytes.NewReader(ciphertext))
		if err != nil || !bytes.Equal(plaintext, c.data) {
			log.Fatalf("madmin.DecryptData rejected vector id %d: %v", c.id, err)
		}
		vectors = append(vectors, vector{c.password, hex.EncodeToString(ciphertext), int(c.id), hex.EncodeToString(c.data)})
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", " ")
	if err := enc.Encode(vectors); err != nil {
		log.Fatal(err)
	}
}
