// The live connection: ONE websocket per tab (/api/v1/ws, authenticated by
// the session cookie). Screens follow topics; each topic remembers the last
// seq seen, so a reconnect resumes exactly where it stopped (no gap, no
// duplicate). Reconnects back off 1 s, 2 s, 4 s… up to 30 s, with jitter.

const SEQ_KEY = 'minga.seq';
const MAX_DELAY = 30000;
const TYPING_EVERY = 3000;

const topics = new Map(); // topic -> {listeners: Set, seq, ready}
const statusListeners = new Set();
let socket = null;
let running = false;
let attempt = 0;
let timer = 0;
let status = 'off'; // off | connecting | connected | reconnecting | offline
const lastTyping = new Map();
let onSessionEnded = null;
let seqs = readSeqs();

function readSeqs() {
  try {
    return JSON.parse(sessionStorage.getItem(SEQ_KEY) || '{}') || {};
  } catch {
    return {};
  }
}

let saveTimer = 0;
function writeSeqs() {
  clearTimeout(saveTimer);
  saveTimer = 0;
  try {
    sessionStorage.setItem(SEQ_KEY, JSON.stringify(seqs));
  } catch { /* not kept across reloads: a full replay then */ }
}
function saveSeqs() {
  clearTimeout(saveTimer);
  saveTimer = setTimeout(writeSeqs, 500);
}
window.addEventListener('pagehide', () => { if (saveTimer) writeSeqs(); });

function setStatus(next) {
  if (next === status) return;
  status = next;
  for (const fn of statusListeners) fn(status);
}

/** Calls fn(status) now and on every change; returns an unsubscribe. */
export function onStatus(fn) {
  statusListeners.add(fn);
  fn(status);
  return () => statusListeners.delete(fn);
}

export const getStatus = () => status;

function send(message) {
  if (socket && socket.readyState === WebSocket.OPEN) {
    socket.send(JSON.stringify(message));
    return true;
  }
  return false;
}

function subscribeMessage(topic) {
  if (topic === 'me') return { type: 'subscribe', topic };
  const seq = seqs[topic];
  return Number.isInteger(seq) && seq > 0 ? { type: 'subscribe', topic, after: seq } : { type: 'subscribe', topic };
}

function dispatch(topic, message) {
  const entry = topics.get(topic);
  if (!entry) return;
  for (const fn of [...entry.listeners]) {
    try {
      fn(message);
    } catch (err) {
      console.error(err);
    }
  }
}

function receive(raw) {
  let message;
  try {
    message = JSON.parse(raw);
  } catch {
    return;
  }
  if (!message || typeof message !== 'object') return;
  const { type, topic } = message;
  if (type === 'event' && topic === 'me') {
    // Live only, no replay: its seq orders, it does not resume (see inbox.js).
    dispatch(topic, { ...message, replay: false });
  } else if (type === 'event') {
    const known = seqs[topic] ?? 0;
    if (!Number.isInteger(message.seq) || message.seq <= known) return; // already seen
    seqs[topic] = message.seq;
    saveSeqs();
    const entry = topics.get(topic);
    dispatch(topic, { ...message, replay: entry ? !entry.ready : false });
  } else if (type === 'subscribed') {
    const entry = topics.get(topic);
    if (entry) entry.ready = true;
    dispatch(topic, message);
  } else if (type === 'presence' || type === 'typing') {
    dispatch(topic, message);
  } else if (type === 'resync') {
    // The server drops us next; come back at once and resume.
    attempt = 0;
  } else if (type === 'error') {
    console.warn('live:', message.code, message.message);
  }
}

function connect() {
  clearTimeout(timer);
  if (!running || socket) return;
  if (navigator.onLine === false) {
    setStatus('offline');
    return;
  }
  if (status === 'off') setStatus('connecting');
  const url = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/api/v1/ws`;
  let ws;
  try {
    ws = new WebSocket(url);
  } catch {
    scheduleReconnect();
    return;
  }
  socket = ws;
  let opened = false;
  ws.addEventListener('open', () => {
    if (socket !== ws) return;
    opened = true;
    attempt = 0;
    setStatus('connected');
    for (const [topic, entry] of topics) {
      entry.ready = false;
      send(subscribeMessage(topic));
    }
  });
  ws.addEventListener('message', (event) => {
    if (socket === ws && typeof event.data === 'string') receive(event.data);
  });
  ws.addEventListener('close', (event) => {
    if (socket !== ws) return;
    socket = null;
    for (const entry of topics.values()) entry.ready = false;
    if (!running) return;
    // 1008: the session ended (signed out everywhere, deactivated).
    if (event.code === 1008 && onSessionEnded) onSessionEnded();
    // Failing before it ever opened may also mean the session is gone.
    else if (!opened && attempt >= 2 && onSessionEnded) onSessionEnded(true);
    scheduleReconnect();
  });
}

function scheduleReconnect() {
  clearTimeout(timer);
  if (!running) return;
  if (navigator.onLine === false) {
    setStatus('offline');
    return;
  }
  const base = Math.min(MAX_DELAY, 1000 * 2 ** attempt);
  const delay = Math.round(base * (0.75 + Math.random() * 0.5)); // jitter: ±25 %
  attempt += 1;
  // Several failures in a row: say so plainly, but keep trying.
  setStatus(attempt > 4 ? 'offline' : 'reconnecting');
  timer = setTimeout(connect, Math.min(delay, MAX_DELAY));
}

function reconnectNow() {
  if (!running || socket) return;
  attempt = 0;
  setStatus('reconnecting');
  connect();
}

window.addEventListener('online', reconnectNow);
window.addEventListener('offline', () => {
  if (!running) return;
  setStatus('offline');
  if (socket) socket.close(); // it is dead anyway; resume when back
});
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') reconnectNow();
});

/**
 * Starts the connection (after sign-in). `sessionEnded(maybe)` is called
 * when the server ends the session, or (maybe=true) when connecting keeps
 * failing, so the app can check whether the user is still signed in.
 */
export function start(sessionEnded) {
  onSessionEnded = sessionEnded || null;
  if (running) return;
  running = true;
  attempt = 0;
  connect();
}

/** Closes the connection and forgets everything (sign-out). */
export function stop() {
  running = false;
  clearTimeout(timer);
  const ws = socket;
  socket = null;
  if (ws) ws.close(1000);
  topics.clear();
  seqs = {};
  try {
    sessionStorage.removeItem(SEQ_KEY);
  } catch { /* nothing kept */ }
  setStatus('off');
}

/**
 * Follows `topic`: listener(message) receives `{type: 'event', ...event,
 * replay}` (replay: sent before `subscribed`, already-known history),
 * `subscribed`, `presence` and `typing` messages. Returns an unfollow.
 */
export function follow(topic, listener) {
  let entry = topics.get(topic);
  if (!entry) {
    entry = { listeners: new Set(), ready: false };
    topics.set(topic, entry);
    send(subscribeMessage(topic));
  }
  entry.listeners.add(listener);
  return () => {
    const current = topics.get(topic);
    if (!current) return;
    current.listeners.delete(listener);
    if (current.listeners.size === 0) {
      topics.delete(topic);
      send({ type: 'unsubscribe', topic });
    }
  };
}

/** Says "I am typing" on `topic`, at most every 3 s. */
export function typing(topic) {
  const now = Date.now();
  if (now - (lastTyping.get(topic) || 0) < TYPING_EVERY) return;
  if (send({ type: 'typing', topic })) lastTyping.set(topic, now);
}
