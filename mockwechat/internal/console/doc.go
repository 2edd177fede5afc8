// Package console is the fake's web console: server-rendered pages for a
// person to watch and drive the fake. Overview (accounts, clock, counts,
// failing pushes, a live log), Complaints (filtered, paged), one
// complaint's timeline, one user's inbox drawn as a chat, the API calls
// as a live tail, and the platform's controls (faults, clock, reset).
//
// When the fake plays Complaints 2.0 (Options.Pay, a PayBackend), its
// pages join them: the complaints by state; one complaint's fields and
// negotiation history with each callback and every attempt (the
// Wechatpay-* headers, the decrypted resource, the merchant's answer and
// its verdict) and the merchant's refused calls; the keys page (what a
// merchant configures where, never a private key) with SIGNTEST probes;
// and the requests refused for their signature, WeChat's string to sign
// beside what the request carried.
//
// Pages are html/template, readable without JavaScript. A little plain
// JavaScript (assets/console.js, no build step, no CDN) makes them live:
// it follows GET /_mock/events (Server-Sent Events) and, on a change that
// concerns the page, fetches the page again and swaps its live parts; it
// turns the forms into calls of the admin API as JSON, the way any
// same-origin page may call it, so the admin API's guard (JSON only, same
// origin, known Host) stays whole. Assets are embedded; every answer
// carries a strict Content-Security-Policy (scripts and styles from the
// fake only, no inline code, no frames, no other origin).
//
// Links are relative, so the console works wherever the fake is mounted.
package console
