// Package chromium starts headless Chromium for the console's browser
// tests and for scripts/consoleshots, which makes the README's
// screenshots: one place for where the browser is and the flags it needs
// on a machine without a network (no updates, no sync, no QUIC).
package chromium
