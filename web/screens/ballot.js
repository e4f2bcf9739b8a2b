// The ballot on a proposal: its rule in words, the deadline, who has voted,
// the tally and the result, the organization's vote, the minutes; and the
// secretariat's form to open one and buttons to close or cancel it.

import * as api from '../api.js';
import { h, nextId } from '../dom.js';
import { getLang, tx } from '../i18n.js';
import {
  actionButton, alertBox, ask, checkbox, field, makeForm, orgLabel, setBusy, showError, statusOf,
} from '../ui.js';
import { enc, isSecretariat } from './shared.js';

const CHOICES = ['yes', 'no', 'abstain'];
let organizations = null; // names, fetched once per page load

function orgNames(signal) {
  if (!organizations) {
    organizations = api.get('/api/v1/organizations', { signal }).catch((err) => {
      organizations = null;
      throw err;
    });
  }
  return organizations;
}

/** The least number of organizations that meets the quorum. */
const quorumCount = (quorum, eligible) => Math.max(0, Math.ceil(quorum * eligible - 1e-9));

export function ballotPanel(ctx, ballotId) {
  const { user, signal } = ctx;
  const path = `/api/v1/ballots/${enc(ballotId)}`;
  const headingId = nextId('ballot');
  const status = h('span', { id: 'ballot-status', class: 'badge' });
  const rule = h('div', { id: 'ballot-rule', class: 'ballot-rule' });
  const deadline = h('p', { id: 'ballot-deadline' });
  const participation = h('div', { id: 'ballot-participation' });
  const tally = h('div', { id: 'ballot-tally' });
  const result = h('div', { id: 'ballot-result' });
  const myVote = h('p', { id: 'my-vote', role: 'status', class: 'my-vote' });
  const voteAlert = alertBox();
  const buttons = CHOICES.map((choice) => {
    const button = h('button', {
      type: 'button', class: `btn vote vote-${choice}`, 'data-test': `vote-${choice}`, 'data-choice': choice,
      'aria-pressed': 'false', t: [`choice.${choice}`],
    });
    button.addEventListener('click', () => vote(choice, button));
    return button;
  });
  const voteHeading = nextId('vote');
  const voteBox = h('div', { id: 'ballot-vote', class: 'vote-box', hidden: true },
    h('h3', { id: voteHeading, t: ['ballot.your_vote'] }),
    h('p', { class: 'hint', t: ['ballot.vote_hint'] }),
    h('div', { class: 'actions vote-buttons', role: 'group', 'aria-labelledby': voteHeading }, buttons),
    myVote, voteAlert);
  const minutes = h('p', { id: 'ballot-minutes', class: 'actions' });
  const adminAlert = alertBox();
  const admin = h('div', { id: 'ballot-admin' });
  const el = h('section', { id: 'ballot-panel', class: 'panel ballot', 'aria-labelledby': headingId, 'data-test': 'ballot-panel' },
    h('h2', { id: headingId }, h('span', { t: ['ballot.heading'] }), ' ', status),
    rule, deadline, participation, tally, result, voteBox, minutes, adminAlert, admin);

  let ballot = null;
  let names = new Map();
  let tick = 0;
  let refreshTimer = 0;
  let adminKey = '';

  async function refresh() {
    try {
      const next = await api.get(path, { signal });
      if (!ctx.current()) return;
      ballot = next;
      if (!names.size) {
        try {
          names = new Map((await orgNames(signal)).map((o) => [o.id, orgLabel(o)]));
        } catch { /* the ballot's own names, or ids, are shown instead */ }
      }
      if (ctx.current()) render();
    } catch (err) {
      if (ctx.current() && err?.name !== 'AbortError') showError(adminAlert, err);
    }
  }

  const refreshSoon = () => {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(refresh, 300);
  };

  function render() {
    const b = ballot;
    el.dataset.status = b.status;
    tx(status, `ballot.status_${b.status}`);
    status.className = `badge ballot-${b.status}`;
    const eligible = b.participation?.eligible ?? b.eligible_organizations?.length ?? 0;
    const needed = quorumCount(b.quorum, eligible);
    rule.replaceChildren(
      h('p', { t: [`ballot.majority_${b.majority}`, { n: String(eligible) }] }),
      h('p', { t: b.quorum > 0
        ? ['ballot.quorum', { n: String(needed), of: String(eligible), pct: String(Math.round(b.quorum * 100)) }]
        : ['ballot.no_quorum'] }),
      h('p', { t: [b.secret ? 'ballot.secret' : 'ballot.public'] }),
      h('p', { t: [b.live_results ? 'ballot.live' : 'ballot.not_live'] }));
    renderDeadline();
    renderParticipation(eligible);
    renderTally();
    renderResult();
    renderVote();
    renderAdmin();
  }

  function renderDeadline() {
    clearTimeout(tick);
    const b = ballot;
    if (b.status !== 'open') {
      deadline.replaceChildren(b.closed_at
        ? h('span', { t: [b.status === 'cancelled' ? 'ballot.cancelled_at' : 'ballot.closed_at', { date: { date: b.closed_at, short: true } }] })
        : '');
      return;
    }
    if (!b.closes_at) {
      deadline.replaceChildren(h('span', { t: ['ballot.no_deadline'] }));
      return;
    }
    const countdown = h('span', { id: 'ballot-countdown', 'data-test': 'countdown' });
    deadline.replaceChildren(h('span', { t: ['ballot.closes', { date: { date: b.closes_at, short: true } }] }), ' ', countdown);
    const update = () => {
      const left = (Date.parse(b.closes_at) - Date.now()) / 1000;
      if (left <= 0) {
        tx(countdown, 'ballot.closing');
        clearTimeout(tick);
        setTimeout(refreshSoon, 3000); // the server closes it at the deadline
        return;
      }
      tx(countdown, 'ballot.left', { left: { duration: left > 120 ? Math.ceil(left / 60) * 60 : left } });
    };
    update();
    const every = () => ((Date.parse(b.closes_at) - Date.now()) / 1000 > 180 ? 30000 : 1000);
    const loop = () => {
      update();
      if (Date.parse(b.closes_at) > Date.now()) tick = setTimeout(loop, every());
    };
    tick = setTimeout(loop, every());
  }

  function renderParticipation(eligible) {
    const p = ballot.participation || { voted: 0, eligible, organizations: [] };
    const voted = new Set(p.organizations || []);
    const list = ballot.eligible_organizations?.length
      ? ballot.eligible_organizations.map((o) => ({ id: o.id, name: names.get(o.id) || o.name }))
      : [...voted].map((id) => ({ id, name: names.get(id) || id }));
    const heading = nextId('part');
    participation.replaceChildren(
      h('h3', { id: heading, t: ['ballot.participation_heading'] }),
      h('p', { 'data-test': 'participation', t: ['ballot.participation', { n: String(p.voted), of: String(p.eligible) }] }),
      h('progress', { max: String(Math.max(1, p.eligible)), value: String(p.voted), 'aria-labelledby': heading }),
      h('details', { class: 'org-list' },
        h('summary', { t: ['ballot.which'] }),
        h('ul', { class: 'orgs', id: 'ballot-orgs' }, list.map((o) => h('li', {
          'data-voted': String(voted.has(o.id)), class: voted.has(o.id) ? 'voted' : 'pending',
        }, h('span', { text: o.name }), ' ', h('span', { class: 'hint', t: [voted.has(o.id) ? 'ballot.has_voted' : 'ballot.not_voted'] }))))));
  }

  function renderTally() {
    const t = ballot.tally;
    if (!t || ballot.result) {
      tally.replaceChildren(ballot.status === 'open' && !ballot.live_results
        ? h('p', { class: 'hint', t: ['ballot.tally_hidden'] }) : '');
      return;
    }
    tally.replaceChildren(h('h3', { t: ['ballot.tally_heading'] }), counts(t));
  }

  const counts = (t) => h('dl', { class: 'tally', 'data-test': 'tally' }, CHOICES.map((c) =>
    h('div', { 'data-choice': c }, h('dt', { t: [`choice.${c}`] }), h('dd', { text: String(t[c] ?? 0) }))));

  function renderResult() {
    const b = ballot;
    if (b.status === 'cancelled') {
      result.replaceChildren(h('p', { class: 'notice warn', t: ['ballot.cancelled', { reason: b.cancelled_reason ?? '' }] }));
    } else if (b.result) {
      const r = b.result;
      result.replaceChildren(
        h('h3', { t: ['ballot.result_heading'] }),
        h('p', { class: `result ${r.passed ? 'passed' : 'failed'}`, 'data-test': 'result', 'data-passed': String(r.passed),
          t: [r.passed ? 'ballot.passed' : 'ballot.failed'] }),
        counts(r),
        h('p', { t: [r.quorum_met ? 'ballot.quorum_met' : 'ballot.quorum_missed', { n: String(r.yes + r.no + r.abstain), of: String(r.eligible) }] }));
    } else {
      result.replaceChildren();
    }
    const lang = getLang();
    minutes.replaceChildren(...(b.status === 'closed' ? [
      h('a', { href: `${path}/minutes?format=markdown&lang=${lang}`, id: 'minutes-markdown', class: 'btn btn-secondary', t: ['ballot.minutes_markdown'] }),
      h('a', { href: `${path}/minutes?format=json&lang=${lang}`, id: 'minutes-json', class: 'btn btn-secondary', t: ['ballot.minutes_json'] }),
    ] : []));
  }

  const mayVote = () => ballot.status === 'open' && (user.role === 'delegate' || user.role === 'secretariat') &&
    (ballot.eligible_organizations?.length
      ? ballot.eligible_organizations.some((o) => o.id === user.organization?.id)
      : user.organization?.kind === 'member');

  function renderVote() {
    const b = ballot;
    const can = mayVote();
    const erased = b.secret && b.status !== 'open' && !b.my_vote &&
      (b.participation?.organizations || []).includes(user.organization?.id);
    voteBox.hidden = !can && !b.my_vote && !erased;
    for (const button of buttons) {
      button.setAttribute('aria-pressed', String(b.my_vote === button.dataset.choice));
      button.hidden = !can;
    }
    if (b.my_vote) tx(myVote, myVoteKey(b), { choice: { key: `choice.${b.my_vote}` } });
    else if (erased) tx(myVote, 'ballot.my_vote_erased');
    else if (can) tx(myVote, 'ballot.not_yet');
    else {
      myVote.replaceChildren();
      myVote.removeAttribute('data-i18n');
    }
  }

  async function vote(choice, button) {
    voteAlert.replaceChildren();
    setBusy(buttons, button, true);
    try {
      const next = await api.put(`${path}/vote`, { choice });
      if (next && next.id) ballot = next;
      else ballot = { ...ballot, my_vote: choice };
      ballot.my_vote = ballot.my_vote || choice;
      setBusy(buttons, button, false);
      render();
      button.focus();
    } catch (err) {
      setBusy(buttons, button, false);
      if (!ctx.current()) return;
      showError(voteAlert, err, voteRefusalKey(ballot, err));
      refreshSoon();
    }
  }

  function renderAdmin() {
    const key = isSecretariat(user) ? ballot.status : '';
    if (key === adminKey) return;
    adminKey = key;
    if (!isSecretariat(user) || ballot.status !== 'open') {
      admin.replaceChildren();
      return;
    }
    admin.replaceChildren(h('h3', { t: ['ballot.admin_heading'] }), ...closeOrCancel(ctx, path, adminAlert, {
      closed: (next) => { ballot = next; render(); },
      cancelled: () => refresh(),
    }));
  }

  refresh();
  return {
    el,
    refresh,
    /** A live ballot.* event: fetch the ballot again (it says what this reader may see). */
    event(message) {
      const data = message.data || {};
      if (data.ballot_id && data.ballot_id !== ballotId) return;
      if (data.ballot?.id && data.ballot.id !== ballotId) return;
      if (ballot && message.kind === 'ballot.participation' && data.participation) {
        ballot = { ...ballot, participation: data.participation };
        renderParticipation(data.participation.eligible);
      }
      if (ballot && message.kind === 'ballot.tally' && data.tally) {
        ballot = { ...ballot, tally: data.tally };
        renderTally();
      }
      refreshSoon();
    },
    stop() {
      clearTimeout(tick);
      clearTimeout(refreshTimer);
    },
  };
}

/** Ecuador has no daylight saving time: always UTC-5. */
const ECUADOR_OFFSET = '-05:00';

/**
 * The secretariat's form to put an open proposal to the vote. With
 * `stable` (one per page) its controls have fixed ids: #ballot-majority,
 * #ballot-quorum, #ballot-secret, #ballot-live, #ballot-closes.
 */
/** What the caller's organization's vote is called: final or not, seen in the room or not. */
export const myVoteKey = (b) => `ballot.my_vote${b.my_vote_by_hand ? '_by_hand' : ''}${b.status === 'open' ? '' : '_final'}`;

/** Why a vote was refused: closed, not eligible, or (in a session) not the representative present. */
export function voteRefusalKey(b, err) {
  const status = statusOf(err);
  if (status === 409) return b.session && b.status === 'open' ? 'ballot.vote_session' : 'ballot.vote_closed';
  return status === 403 ? 'ballot.vote_forbidden' : null;
}

/** The session field of the form, loaded apart: only the secretariat ever sees it. */
function sessionChoice(ctx) {
  const wrap = h('div');
  let body = () => ({});
  import('./session-pick.js').then((m) => {
    const pick = m.sessionPicker(ctx);
    wrap.append(pick.wrap);
    body = pick.body;
  }).catch(() => { /* an online ballot */ });
  return { wrap, body: () => body() };
}

export function openBallotForm(ctx, proposalId, done, stable = true) {
  const id = (name) => (stable ? `ballot-${name}` : nextId(name));
  const majority = field({
    name: 'majority', label: 'ballot.majority',
    options: ['simple', 'absolute', 'two_thirds'].map((m) => ({ value: m, key: `ballot.majority_option_${m}` })),
    attrs: { id: id('majority') },
  });
  const quorum = field({
    name: 'quorum', label: 'ballot.quorum_label', type: 'number', hint: 'ballot.quorum_hint', value: '50',
    attrs: { id: id('quorum'), min: 0, max: 100, step: 1, inputmode: 'numeric' },
  });
  const secret = checkbox('secret', 'ballot.secret_label', false, id('secret'));
  const liveResults = checkbox('live_results', 'ballot.live_label', false, id('live'));
  const sync = () => {
    // A secret ballot cannot show a live tally: each change would reveal a vote.
    if (secret.input.checked) liveResults.input.checked = false;
    liveResults.input.disabled = secret.input.checked;
  };
  secret.input.addEventListener('change', sync);
  const closes = field({
    name: 'closes_at', label: 'ballot.closes_label', type: 'datetime-local', hint: 'ballot.closes_hint', required: false,
    attrs: { id: id('closes') },
  });
  const session = sessionChoice(ctx);
  const form = makeForm(ctx, {
    submitKey: 'ballot.open_submit', cls: 'inline-form',
    children: [session.wrap, majority.wrap, quorum.wrap, secret.wrap, liveResults.wrap, h('p', { class: 'hint', t: ['ballot.secret_live_hint'] }), closes.wrap],
    check() {
      const problems = [];
      const q = Number(quorum.input.value);
      if (quorum.input.value === '' || !(q >= 0 && q <= 100)) problems.push({ input: quorum.input, key: 'ballot.quorum_invalid' });
      if (closes.input.value) {
        const at = Date.parse(`${closes.input.value}${closes.input.value.length === 16 ? ':00' : ''}${ECUADOR_OFFSET}`);
        if (Number.isNaN(at) || at <= Date.now()) problems.push({ input: closes.input, key: 'ballot.closes_past' });
      }
      return problems;
    },
    send() {
      const body = {
        majority: majority.input.value,
        quorum: Number(quorum.input.value) / 100,
        secret: secret.input.checked,
        live_results: liveResults.input.checked,
        ...session.body(),
      };
      if (closes.input.value) {
        body.closes_at = new Date(`${closes.input.value}${closes.input.value.length === 16 ? ':00' : ''}${ECUADOR_OFFSET}`).toISOString();
      }
      return api.post(`/api/v1/proposals/${enc(proposalId)}/ballot`, body);
    },
    done(ballot) {
      box.remove();
      done(ballot);
    },
  });
  if (stable) form.id = 'open-ballot-form';
  // Sent here from a session's console (?sesion=): the form is what they came for.
  const fromSession = stable && new URLSearchParams(location.search).has('sesion');
  const box = h('details', { class: 'panel open-ballot', id: stable ? 'open-ballot' : null, 'data-test': 'open-ballot', open: fromSession },
    h('summary', { t: ['ballot.open_heading'] }), form);
  return box;
}

/**
 * The secretariat's controls of an open ballot: close it (after a
 * confirmation), or cancel it with a reason. `closed(ballot)` gets the
 * closed ballot; `cancelled()` follows a cancellation.
 */
export function closeOrCancel(ctx, path, alert, { closed, cancelled }) {
  const close = actionButton(ctx, 'ballot.close', alert, async () => {
    if (!ask('ballot.close_confirm')) return;
    await closed(await api.post(`${path}/close`));
  }, 'btn btn-primary');
  close.id = 'close-ballot';
  const reason = field({ name: 'cancel_reason', label: 'ballot.cancel_reason', attrs: { maxlength: 500, id: 'cancel-reason' } });
  const cancelForm = makeForm(ctx, {
    submitKey: 'ballot.cancel', cls: 'inline-form', children: [reason.wrap],
    check: () => (reason.input.value.trim() ? [] : [{ input: reason.input, key: 'ballot.cancel_reason_required' }]),
    send: () => api.post(`${path}/cancel`, { reason: reason.input.value.trim() }),
    done: cancelled,
  });
  cancelForm.id = 'cancel-ballot-form';
  return [h('div', { class: 'actions' }, close),
    h('details', { class: 'cancel-box' }, h('summary', { id: 'cancel-ballot', t: ['ballot.cancel_open'] }), cancelForm)];
}
