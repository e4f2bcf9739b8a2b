// Console: ballots, locking and adoption across the proposals; the
// moderation queue (live on the `moderation` topic).

import * as api from '../api.js';
import { fill as fillNode, h } from '../dom.js';
import { tx } from '../i18n.js';
import * as live from '../live.js';
import { actionButton, alertBox, ask, field, makeForm, orgLabel, statusOf, showError, time } from '../ui.js';
import { enc, prose, statusBadge } from './shared.js';
import { openBallotForm } from './ballot.js';

const SHOWN = ['voting', 'passed', 'open'];

export async function ballotsTab(ctx, root) {
  const docs = await api.get('/api/v1/documents', { signal: ctx.signal });
  const all = (await Promise.all(docs.map((d) =>
    api.get(`/api/v1/documents/${enc(d.id)}/proposals`, { signal: ctx.signal }).then((ps) => ps.map((p) => ({ ...p, doc: d }))))))
    .flat();
  const groups = SHOWN.map((status) => {
    const items = all.filter((p) => p.status === status);
    const list = h('ul', { class: 'cards', id: `console-${status}` }, items.map((p) => proposalCard(ctx, p)));
    return h('section', { class: 'group' },
      h('h3', { t: [`console.group_${status}`, { n: String(items.length) }] }),
      items.length ? list : h('p', { class: 'hint', t: ['console.group_empty'] }));
  });
  root.replaceChildren(h('p', { class: 'hint', t: ['console.ballots_hint'] }), ...groups);
}

function proposalCard(ctx, p) {
  const li = h('li', { class: 'panel card', 'data-test': 'console-proposal', 'data-proposal-id': p.id });
  const alert = alertBox();
  const note = h('p', { role: 'status', class: 'hint' });
  const base = `/api/v1/proposals/${enc(p.id)}`;
  const fill = (next) => {
    Object.assign(p, next);
    const actions = [];
    const lock = actionButton(ctx, p.locked ? 'proposal.unlock' : 'proposal.lock', alert, async () => {
      fill(await api.post(`${base}/${p.locked ? 'unlock' : 'lock'}`));
    });
    lock.dataset.test = 'lock-toggle';
    actions.push(lock);
    if (p.status === 'voting' && p.ballot_id) {
      const close = actionButton(ctx, 'ballot.close', alert, async () => {
        if (!ask('ballot.close_confirm')) return;
        await api.post(`/api/v1/ballots/${enc(p.ballot_id)}/close`);
        fill(await api.get(base));
      }, 'btn btn-primary');
      close.dataset.test = 'close-ballot';
      actions.push(close);
    }
    if (p.status === 'passed') {
      const adopt = actionButton(ctx, 'proposal.adopt', alert, async () => {
        if (!ask('proposal.adopt_confirm')) return;
        try {
          const result = await api.post(`${base}/adopt`);
          tx(note, 'proposal.adopted_done', { n: String(result.document_version) });
          fill(await api.get(base));
        } catch (err) {
          if (statusOf(err) === 409) showError(alert, err, 'proposal.adopt_conflict');
          else throw err;
        }
      }, 'btn btn-primary');
      adopt.dataset.test = 'adopt';
      actions.push(adopt);
    }
    let extra = null;
    if (p.status === 'open') {
      extra = openBallotForm(ctx, p.id, async () => fill(await api.get(base)), false);
    } else if (p.status === 'voting' && p.ballot_id) {
      const reason = field({ name: 'reason', label: 'ballot.cancel_reason', attrs: { maxlength: 500 } });
      const form = makeForm(ctx, {
        submitKey: 'ballot.cancel', cls: 'inline-form', children: [reason.wrap],
        check: () => (reason.input.value.trim() ? [] : [{ input: reason.input, key: 'ballot.cancel_reason_required' }]),
        send: () => api.post(`/api/v1/ballots/${enc(p.ballot_id)}/cancel`, { reason: reason.input.value.trim() }),
        done: async () => fill(await api.get(base)),
      });
      extra = h('details', { class: 'cancel-box' }, h('summary', { t: ['ballot.cancel_open'] }), form);
    }
    fillNode(li,
      h('h4', null, h('a', { href: `/propuestas/${enc(p.id)}`, text: p.title })),
      h('p', { class: 'meta' }, statusBadge(p.status), ' ', p.locked ? h('span', { class: 'badge status-locked', t: ['proposal.locked'] }) : '',
        ' ', orgLabel(p.organization), ' · ', p.doc?.title ?? ''),
      h('div', { class: 'actions' }, actions), alert, note, extra);
  };
  fill(p);
  return li;
}

export async function moderationTab(ctx, root) {
  const flags = await api.get('/api/v1/moderation/flags?status=open', { signal: ctx.signal });
  const list = h('ul', { class: 'cards', id: 'flag-list' });
  const empty = h('p', { class: 'hint', id: 'flags-empty', t: ['moderation.empty'] });
  const cards = new Map();
  const sync = () => { empty.hidden = cards.size > 0; };
  const add = (flag) => {
    if (cards.has(flag.id) || flag.status !== 'open') return;
    const card = flagCard(ctx, flag, () => {
      cards.get(flag.id)?.remove();
      cards.delete(flag.id);
      sync();
    });
    cards.set(flag.id, card);
    list.append(card);
    sync();
  };
  flags.forEach(add);
  sync();
  root.replaceChildren(h('p', { class: 'hint', t: ['moderation.hint'] }), empty, list);
  ctx.leave(live.follow('moderation', (message) => {
    if (message.type !== 'event' || !message.data?.flag) return;
    const flag = message.data.flag;
    if (message.kind === 'flag.created') add(flag);
    else if (message.kind === 'flag.resolved') {
      cards.get(flag.id)?.remove();
      cards.delete(flag.id);
      sync();
    }
  }));
}

function flagCard(ctx, flag, gone) {
  const c = flag.comment || {};
  const alert = alertBox();
  const resolve = (action, key, cls) => {
    const button = actionButton(ctx, key, alert, async () => {
      await api.post(`/api/v1/moderation/flags/${enc(flag.id)}/resolve`, { action });
      gone();
    }, cls);
    button.dataset.test = `resolve-${action}`;
    return button;
  };
  return h('li', { class: 'panel card', 'data-test': 'flag-item', 'data-flag-id': flag.id },
    h('p', { class: 'meta' },
      h('span', { t: ['moderation.flagged_by', { name: flag.flagged_by?.display_name ?? '' }] }), ' · ', time(flag.created_at)),
    h('p', null, h('strong', { t: ['moderation.reason'] }), ' ', h('span', { text: flag.reason })),
    h('blockquote', { class: 'c-quote' },
      h('p', { class: 'hint' }, h('span', { text: c.author?.display_name ?? '' }), ' · ', orgLabel(c.organization)),
      c.body_html ? prose(c.body_html) : h('p', { class: 'hint', t: [c.deleted ? 'comments.deleted' : 'moderation.no_body'] })),
    c.proposal_id ? h('p', null, h('a', { href: `/propuestas/${enc(c.proposal_id)}#comment-${c.id}`, t: ['moderation.open_thread'] })) : null,
    h('div', { class: 'actions' }, resolve('hide', 'moderation.hide', 'btn btn-primary'), resolve('dismiss', 'moderation.dismiss', 'btn btn-secondary')),
    alert);
}
