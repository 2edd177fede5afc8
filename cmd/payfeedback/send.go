package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/payfeedback/payfeedback"
)

// maxMessageBody bounds a --json message body.
const maxMessageBody = 64 << 10

// sendCommand sends a customer-service message.
type sendCommand struct{}

func newSendCommand() *sendCommand { return &sendCommand{} }

func (*sendCommand) Name() string { return "send" }

func (*sendCommand) Synopsis() string {
	return "send a customer-service message to a user (text, image, voice, video, music, news)"
}

const sendUsage = `--appid A [--secret S] [--base-url URL] --openid O MESSAGE

MESSAGE is exactly one of:

  --text "..."                         a text message
  --json FILE|-                        a message body as the API takes it, e.g.
                                       {"msgtype":"news","news":{"articles":[{"title":"…","url":"https://…"}]}}
                                       (the only way to send news); "-" reads standard input
  --image MEDIA                        an image
  --voice MEDIA                        a voice recording
  --video MEDIA --thumb MEDIA          a video and its thumbnail
  --music URL --hq-music URL --thumb MEDIA [--title T] [--description D]
                                       music played from URLs

MEDIA is a media_id, or @FILE to upload FILE first (as image, voice, video or
thumb, by the flag it is given to) and send its new media_id.

The message is validated before anything is sent (required fields, at most
--max-articles articles), and WeChat accepts it only within the interaction
window (24 hours after the user's last interaction, a complaint included).
The secret may come from $` + envSecret + ` instead of --secret. Point --base-url (or
$` + envBaseURL + `) at "payfeedback mock" to try it offline. Exit status 0 sent, 1
refused by WeChat (the errcode is printed), 2 bad usage or invalid message.`

func (c *sendCommand) Run(ctx context.Context, args []string, std stdio) error {
	const hint = `payfeedback send --appid wx0123456789abcdef --secret SECRET --openid OPENID --text "Your parcel left today."`
	fs := newFlagSet(std, c.Name(), sendUsage)
	api := addAPIFlags(fs, std)
	openID := fs.String("openid", "", "the recipient's `openid`")
	text := fs.String("text", "", "send a text message with this `content`")
	jsonFile := fs.String("json", "", "send the message body read from `FILE` (- for standard input)")
	image := fs.String("image", "", "send an image: a `MEDIA` id or @FILE")
	voice := fs.String("voice", "", "send a voice recording: a `MEDIA` id or @FILE")
	video := fs.String("video", "", "send a video: a `MEDIA` id or @FILE (with --thumb)")
	music := fs.String("music", "", "send music played from this `URL` (with --hq-music and --thumb)")
	hqMusic := fs.String("hq-music", "", "the high-quality music `URL`, played on Wi-Fi")
	thumb := fs.String("thumb", "", "the thumbnail of a video or music: a `MEDIA` id or @FILE")
	title := fs.String("title", "", "the music's `title`")
	description := fs.String("description", "", "the music's `description`")
	maxArticles := fs.Int("max-articles", payfeedback.DefaultMaxArticles, "refuse news messages of more than `N` articles (your account's limit)")
	if err := parseFlagsNoArgs(fs, args, hint); err != nil {
		return err
	}
	if *openID == "" {
		return usageErrorf(hint, "--openid is required")
	}
	if *maxArticles <= 0 {
		return usageErrorf(hint, "--max-articles must be positive")
	}
	var kinds []string
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for _, k := range []string{"text", "json", "image", "voice", "video", "music"} {
		if set[k] {
			kinds = append(kinds, "--"+k)
		}
	}
	switch len(kinds) {
	case 0:
		return usageErrorf(hint, "say what to send: one of --text, --json, --image, --voice, --video, --music")
	case 1:
	default:
		return usageErrorf(hint, "one message at a time: got %s", strings.Join(kinds, " and "))
	}
	kind := kinds[0]
	// Flags that belong to other kinds are mistakes, not silently ignored.
	allowed := map[string][]string{
		"--video": {"thumb"},
		"--music": {"hq-music", "thumb", "title", "description"},
	}
	for _, extra := range []string{"hq-music", "thumb", "title", "description"} {
		if set[extra] && !slices.Contains(allowed[kind], extra) {
			return usageErrorf(hint, "--%s does not go with %s", extra, kind)
		}
	}

	client, ctx, cancel, err := api.client(ctx, std, hint, func(o *payfeedback.ClientOptions) { o.MaxArticles = *maxArticles })
	if err != nil {
		return err
	}
	defer cancel()
	limits := payfeedback.MessageLimits{MaxArticles: *maxArticles}

	// media resolves a MEDIA argument: an id, or @FILE uploaded as typ.
	media := func(flagName, v string, typ payfeedback.MediaType) (string, error) {
		if !strings.HasPrefix(v, "@") {
			return v, nil
		}
		path := v[1:]
		f, err := os.Open(path)
		if err != nil {
			return "", usageErrorf(hint, "--%s: %v", flagName, err)
		}
		defer f.Close()
		m, err := client.UploadMedia(ctx, typ, filepath.Base(path), f)
		if err != nil {
			return "", apiFailure(err, hint)
		}
		fmt.Fprintf(std.Stderr, "uploaded %s as %s: media_id %s\n", path, typ, m.ID)
		return m.ID, nil
	}

	var msg payfeedback.Message
	switch kind {
	case "--text":
		msg = payfeedback.TextMessage{Content: *text}
	case "--json":
		body, err := readInput(std, *jsonFile, maxMessageBody)
		if err != nil {
			return usageErrorf(hint, "--json: %v", err)
		}
		if len(body) > maxMessageBody {
			return usageErrorf(hint, "--json: the body is larger than %d bytes", maxMessageBody)
		}
		var env struct {
			ToUser string `json:"touser"`
		}
		_ = json.Unmarshal(body, &env) // ParseMessage reports a malformed body
		if env.ToUser != "" && env.ToUser != *openID {
			return usageErrorf(hint, "--json: touser %q differs from --openid %q", env.ToUser, *openID)
		}
		if msg, err = payfeedback.ParseMessage(body, limits); err != nil {
			return usageErrorf(hint, "--json: %v", err)
		}
	case "--image", "--voice":
		typ, v := payfeedback.MediaImage, *image
		if kind == "--voice" {
			typ, v = payfeedback.MediaVoice, *voice
		}
		if v == "" {
			return usageErrorf(hint, "%s needs a media id or @FILE", kind)
		}
		id, err := media(kind[2:], v, typ)
		if err != nil {
			return err
		}
		if typ == payfeedback.MediaImage {
			msg = payfeedback.ImageMessage{MediaID: id}
		} else {
			msg = payfeedback.VoiceMessage{MediaID: id}
		}
	case "--video":
		if *video == "" || *thumb == "" {
			return usageErrorf(hint, "--video needs a media id or @FILE, and --thumb")
		}
		id, err := media("video", *video, payfeedback.MediaVideo)
		if err != nil {
			return err
		}
		th, err := media("thumb", *thumb, payfeedback.MediaThumb)
		if err != nil {
			return err
		}
		msg = payfeedback.VideoMessage{MediaID: id, ThumbMediaID: th}
	case "--music":
		m := payfeedback.MusicMessage{Title: *title, Description: *description, MusicURL: *music, HQMusicURL: *hqMusic, ThumbMediaID: "-"}
		if *thumb == "" {
			return usageErrorf(hint, "--music needs --thumb")
		}
		if err := m.Validate(limits); err != nil { // check the URLs before uploading
			return usageErrorf(hint, "%v", err)
		}
		if m.ThumbMediaID, err = media("thumb", *thumb, payfeedback.MediaThumb); err != nil {
			return err
		}
		msg = m
	}
	if err := client.SendMessage(ctx, *openID, msg); err != nil {
		return apiFailure(err, hint)
	}
	_, err = fmt.Fprintf(std.Stdout, "sent: %s message to %s\n", msg.Type(), *openID)
	return err
}
