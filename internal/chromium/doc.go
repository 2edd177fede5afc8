// Package chromium starts headless Chromium for the console's browser
// tests and for scripts/consoleshots, which makes the README's
// screenshots: one place for where the browser is and the flags it needs
// on a machine without a network (no updates, no sync, no QUIC), and
// Launch, which starts it again when a start fails (Chromium now and then
// exits as it starts on a loaded machine).
package chromium
