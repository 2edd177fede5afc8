package evidence

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/payfeedback/payfeedback/conformance"
)

// TestNoSecretSurvives: a merchant that leaks every secret of the run in
// every form it can take (raw, escaped for JSON, XML and URLs, a PEM key
// as it is and JSON-escaped, a key cut by the report's excerpt, a key in
// a header and in the target URL's query, on the command line, in the
// expected-failure file) leaves none of them in the bundle: no window of
// MinSecretLen bytes of any secret, no line of the PEM key, no escaped
// form. The bundle still verifies, and run.json counts what was masked.
func TestNoSecretSurvives(t *testing.T) {
	const apiV3Key = `Kx&7<v3>/"+%=中文-Qz7Wp9Xc`
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(rsaKey)
	if err != nil {
		t.Fatal(err)
	}
	privPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	secrets := []Secret{
		{Name: "paySignKey", Value: testKey},
		{Name: "APIv3 key", Value: apiV3Key},
		{Name: "merchant private key", Value: privPEM},
	}

	pemJSON, _ := json.Marshal(map[string]string{"private_key": privPEM, "apiv3_key": apiV3Key})
	var n atomic.Int64
	leaky := func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Retry-After", testKey)
		w.Header().Set("Content-Type", "text/plain; key="+url.QueryEscape(apiV3Key))
		w.WriteHeader(http.StatusUnauthorized)
		switch n.Add(1) % 3 {
		case 1:
			io.WriteString(w, "wrong signature; my paySignKey is "+testKey+"\n<xml><Key>"+html.EscapeString(apiV3Key)+"</Key></xml>\n"+privPEM)
		case 2:
			w.Write(pemJSON)
		case 0: // the paySignKey, cut by the report's excerpt after 20 bytes
			io.WriteString(w, strings.Repeat("x", conformance.MaxExcerpt-20)+testKey)
		}
	}
	srv := httptest.NewServer(http.HandlerFunc(leaky))
	defer srv.Close()
	rep, err := conformance.Run(context.Background(), conformance.Options{
		URL: srv.URL + "/payfeedback?token=" + url.QueryEscape(apiV3Key), AppID: testAppID, PaySignKey: testKey,
		Run: "^security/signature/(wrong|other-key|empty)$",
	})
	if err != nil {
		t.Fatal(err)
	}
	var raw bytes.Buffer
	rep.WriteJSON(&raw)
	if !bytes.Contains(raw.Bytes(), []byte(testKey[:20]+"…")) || !bytes.Contains(raw.Bytes(), []byte(testKey)) {
		t.Fatal("the report holds no cut key or no whole key: the merchant leaked nothing this test can catch")
	}

	o := options(rep)
	o.Secrets = secrets
	o.Command = []string{"payfeedback", "check", "--paysignkey=" + testKey, "--url", rep.Target}
	o.ExpectFailFile = []byte("# the APIv3 key is " + apiV3Key + "\n")
	bundle := write(t, o)
	cert, err := Verify(bundle, publicOf(keyOf(1)))
	if err != nil {
		t.Fatal(err)
	}

	var leaks []string
	for _, s := range secrets {
		for _, line := range strings.Split(s.Value, "\n") {
			if strings.HasPrefix(line, "-----") { // PEM armour
				continue
			}
			for i := 0; i+MinSecretLen <= len(line); i++ {
				if w := line[i : i+MinSecretLen]; bytes.Contains(bundle, []byte(w)) {
					leaks = append(leaks, s.Name+" bytes "+w)
					break
				}
			}
		}
		escaped, _ := json.Marshal(s.Value)
		for _, form := range []string{url.QueryEscape(s.Value), html.EscapeString(s.Value), string(escaped[1 : len(escaped)-1])} {
			if bytes.Contains(bundle, []byte(form)) {
				leaks = append(leaks, s.Name+" as "+form)
			}
		}
	}
	if len(leaks) > 0 {
		t.Errorf("the bundle holds secrets:\n%s", strings.Join(leaks, "\n"))
	}
	for i, m := range cert.Masked {
		if m.Name != secrets[i].Name || m.Found == 0 {
			t.Errorf("masked[%d] = %+v; want %s, found somewhere", i, m, secrets[i].Name)
		}
	}
	if got := cert.Report.Control.Exchanges[0].Response; got == nil || got.Header["Retry-After"] != Masked || !strings.Contains(got.Body, "my paySignKey is ***") {
		t.Errorf("the masked answer: %+v", got)
	}
}

// TestUnmaskableSecretRefused: a secret masking cannot remove (its mask
// followed by the rest of it makes it again) is refused, and nothing is
// written.
func TestUnmaskableSecretRefused(t *testing.T) {
	rep := runSuite(t, sound(), "^security/signature/wrong$")
	rep.Results[0].Message = "***bbbbbbbbbb"
	o := options(rep)
	o.Secrets = []Secret{{Name: "odd key", Value: "***bbbbb"}}
	var b bytes.Buffer
	if _, err := Write(&b, o); err == nil || !strings.Contains(err.Error(), "the odd key could not be masked") || b.Len() > 0 {
		t.Errorf("%v, %d bytes written; want the refusal and nothing", err, b.Len())
	}
}
