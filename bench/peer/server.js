// The Node peer of the fan-out benchmark: a minimal `ws` broadcast server.
// POST /publish broadcasts its body as one text frame to every socket; a
// socket's first message is answered with `subscribed`. No persistence,
// no auth, no JSON parsing: the usual way to broadcast with `ws`, the
// payload turned into a Buffer once and sent to each client.
'use strict';
const http = require('http');
const { WebSocketServer, WebSocket } = require('ws');

const port = Number(process.argv[2] || 8090);
const subscribed = Buffer.from('{"type":"subscribed","topic":"proposal:bench","head":0}');

const server = http.createServer({ noDelay: true }, (req, res) => {
  if (req.method !== 'POST' || req.url !== '/publish') {
    res.writeHead(404, { 'content-length': '0' });
    res.end();
    return;
  }
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const frame = Buffer.concat(chunks);
    for (const client of wss.clients) {
      if (client.readyState === WebSocket.OPEN) client.send(frame, { binary: false });
    }
    res.writeHead(201, { 'content-length': '0' });
    res.end();
  });
});

const wss = new WebSocketServer({ server, perMessageDeflate: false, clientTracking: true });
wss.on('connection', (socket) => {
  socket.on('message', () => socket.send(subscribed, { binary: false }));
  socket.on('error', () => {});
});

server.listen(port, '127.0.0.1', () => console.log(`listening on ${port}`));
