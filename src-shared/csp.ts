// The Content-Security-Policy of the GUI, the same in Electron and in the browser bridge: nothing but
// our own script; inline styles for MUI/emotion; WebSocket to the loopback bridge.

export const CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self' ws://127.0.0.1:* ws://localhost:*; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
