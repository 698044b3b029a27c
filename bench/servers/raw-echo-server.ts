/**
 * The machine's ceiling: a minimal `ws` server that answers every JSON-RPC frame with an empty
 * result and does nothing else. Prints `{"ready":true,"port":N}` on stdout once listening.
 */
import { WebSocketServer } from 'ws';

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: (offered) => (offered.has('mcp') ? 'mcp' : false) });

wss.on('connection', (socket) => {
  socket.on('message', (data) => {
    const message = JSON.parse(String(data)) as { id?: unknown };
    if (message.id === undefined) return;
    socket.send(`{"jsonrpc":"2.0","id":${JSON.stringify(message.id)},"result":{}}`);
  });
});

wss.on('listening', () => {
  const address = wss.address();
  const port = address && typeof address === 'object' ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ ready: true, port })}\n`);
});

process.on('SIGTERM', () => wss.close(() => process.exit(0)));
