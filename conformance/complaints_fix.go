package conformance

// Where the Complaints 2.0 rules are documented, for the Fix lines: the
// notes that ship with the module, and the package docs.
const (
	docPayCallbacks = "docs/complaints-v3.md#callbacks"
	docPayVerify    = "docs/apiv3.md#verifying-an-answer-or-a-callback"
	docPayProbes    = "docs/apiv3.md#signature-probes"
	docPaySerial    = "docs/apiv3.md#an-unknown-serial"
	docPayKeys      = "docs/apiv3.md#keys-the-public-key-certificates-and-the-switch"
	docPayAEAD      = "docs/apiv3.md#callback-resources-and-certificates-aead_aes_256_gcm"
	docPayEnvelope  = "docs/apiv3.md#callbacks"
	docCallbackMW   = "go doc github.com/payfeedback/payfeedback/middleware/callback"
	docVerifierOpts = "go doc github.com/payfeedback/payfeedback/apiv3.VerifierOptions"
)

// The Fix lines of the Complaints 2.0 plan.
var (
	fixPayAccept = fix("accept every genuine callback with HTTP 200 or 204, whatever its action_type and whatever members WeChat adds: route the action types you do not handle to a default path (callback.Dispatcher.Default) and ignore members you do not know; refusing one has WeChat send it again for a week",
		docPayCallbacks, docPayEnvelope, docCallbackMW)
	fixPayKeys = fix("trust every key WeChat signs your callbacks with, chosen by Wechatpay-Serial: the WeChat Pay public key (pub_key.pem, PUB_KEY_ID_…) and, on platform certificates or during WeChat's switch, the certificates too (give apiv3.VerifierOptions both)",
		docPayKeys, docVerifierOpts)
	fixPaySignature = fix("verify Wechatpay-Signature over TIMESTAMP\\nNONCE\\nBODY\\n (the raw body, before decoding anything) with the key Wechatpay-Serial names, and refuse a mismatch: 401 with {\"code\":\"FAIL\",\"message\":…}",
		docPayVerify, docCallbackMW)
	fixPayProbe = fix("refuse a signature that starts with WECHATPAY/SIGNTEST/ as any failed verification (401, {\"code\":\"FAIL\",…}), without decoding it: WeChat sends these probes on purpose, to see that merchants verify",
		docPayProbes, docCallbackMW)
	fixPaySerial = fix("pick the key by Wechatpay-Serial and refuse a serial that names no key you have (on certificates, download them again first)",
		docPaySerial, docCallbackMW)
	fixPayTimestamp = fix("refuse a Wechatpay-Timestamp five minutes or more from your clock, either way (apiv3.DefaultWindow)",
		docPayVerify, docCallbackMW)
	fixPayHeaders = fix("refuse a callback without each of Wechatpay-Timestamp, Wechatpay-Nonce, Wechatpay-Signature and Wechatpay-Serial",
		docPayVerify, docCallbackMW)
	fixPayDecrypt = fix("refuse a resource that does not open with the APIv3 key (AEAD_AES_256_GCM: the 16-byte tag is checked) with 4xx or 5xx, so that WeChat sends it again; never acknowledge what you could not read",
		docPayAEAD, docCallbackMW)
	fixPaySize = fix("bound the body by the bytes read (http.MaxBytesReader), not by Content-Length alone; 64 KiB is ample (apiv3.MaxNotificationSize)",
		docPayEnvelope, docCallbackMW+" (Config.MaxBodySize)")
	fixPayTime = fix("answer within 5 s, WeChat's limit: do slow work after answering, from a queue",
		docPayCallbacks, docCallbackMW)
	fixPayOnce = fix("remember each handled callback by its notification id (WeChat's retries keep it, signed and encrypted anew) and acknowledge a retry without handling it again; copies arriving together must run the handler once (callback.Config.Replay)",
		docPayCallbacks, docCallbackMW)
	fixPayOrder = fix("accept callbacks in any order: the detail, not the order of callbacks, tells the complaint's state",
		docPayCallbacks, docCallbackMW)
	fixPayView = fix("act on the complaint's detail, not on the action_type or the order of callbacks: fetch the detail on each callback, and do not reply to, complete or decide the refund of a complaint the detail says is PROCESSED",
		docPayCallbacks, docCallbackMW)
	fixPayNoTrace = fix("verify, decrypt and parse a callback before anything else, and let one that fails leave no trace: no work on its complaint, and its notification id not recorded as handled",
		docPayVerify, docCallbackMW)
)
