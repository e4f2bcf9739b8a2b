// Which session a ballot opens in, on the secretariat's ballot forms: one of
// the open sessions, or none (an online ballot). A session's console links
// here with ?sesion=<id>, which chooses it in advance.

import * as api from '../api.js';
import { h } from '../dom.js';
import { field } from '../ui.js';

export function sessionPicker(ctx) {
  const pick = field({
    name: 'session_id', label: 'ballot.session_label', hint: 'ballot.session_hint', required: false,
    options: [{ value: '', key: 'ballot.session_none' }],
  });
  pick.wrap.hidden = true;
  pick.input.dataset.test = 'ballot-session';
  const wanted = new URLSearchParams(location.search).get('sesion') || '';
  api.get('/api/v1/sessions', { signal: ctx.signal }).then((sessions) => {
    const open = sessions.filter((s) => s.status === 'open');
    for (const s of open) pick.input.append(h('option', { value: s.id, text: s.title }));
    if (open.some((s) => s.id === wanted)) pick.input.value = wanted;
    pick.wrap.hidden = open.length === 0;
  }).catch(() => { /* no session to offer: an online ballot */ });
  return { wrap: pick.wrap, body: () => (pick.input.value ? { session_id: pick.input.value } : {}) };
}
