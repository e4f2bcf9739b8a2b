// Which session a ballot opens in, on the secretariat's ballot forms: one of
// the open sessions, or none (an online ballot). A session's console links
// here with ?sesion=<id>, which chooses it in advance. The words are the
// assembly's and the field appears only when a session is open, so delegates
// load none of this.

import * as api from '../api.js';
import { h } from '../dom.js';
import { loadPart } from '../i18n.js';
import { field } from '../ui.js';

/** {wrap, body()}: wrap fills itself once the open sessions are known; body() is {session_id} or {}. */
export function sessionPicker(ctx) {
  const wrap = h('div', { hidden: true });
  let pick = null;
  const wanted = new URLSearchParams(location.search).get('sesion') || '';
  Promise.all([api.get('/api/v1/sessions', { signal: ctx.signal }), loadPart('assembly')]).then(([sessions]) => {
    const open = sessions.filter((s) => s.status === 'open');
    if (!open.length || !ctx.current()) return;
    pick = field({
      name: 'session_id', label: 'ballot.session_label', hint: 'ballot.session_hint', required: false,
      options: [{ value: '', key: 'ballot.session_none' }, ...open.map((s) => ({ value: s.id, text: s.title }))],
    });
    if (open.some((s) => s.id === wanted)) pick.input.value = wanted;
    wrap.append(pick.wrap);
    wrap.hidden = false;
  }).catch(() => { /* no session to offer: an online ballot */ });
  return { wrap, body: () => (pick?.input.value ? { session_id: pick.input.value } : {}) };
}
