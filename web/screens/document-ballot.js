// One ballot on a whole document (/votaciones/<id>): rival proposals on one
// article (ranked or plurality), the approval of the whole text, or a block
// of articles as they stand. Its rule, deadline, participation, the
// organization's vote, the result and the minutes; the secretariat closes or
// cancels it. Live on `document:<id>`. Strings: the `votes` dictionary part
// (and the ballot.* / choice.* keys every screen has); styles: /votes.css.

import * as api from '../api.js';
import { fill, h, nextId } from '../dom.js';
import { getLang, loadPart, tx } from '../i18n.js';
import * as live from '../live.js';
import { alertBox, setBusy, showError, time } from '../ui.js';
import { loadStylesheet } from './stylesheet.js';
import { enc, isSecretariat } from './shared.js';
import { closeOrCancel, myVoteKey, voteRefusalKey } from './ballot.js';
import { rankingWidget } from './ranking.js';
import { alternativesResult, labelOf, pluralityForm, sectionParam, subjectPanel } from './document-ballot-parts.js';

const CHOICES = ['yes', 'no', 'abstain'];
const KINDS = ['alternatives', 'approval', 'block'];
/** The least number of organizations that meets the quorum. */
const quorumCount = (quorum, eligible) => Math.max(0, Math.ceil(quorum * eligible - 1e-9));

export async function documentBallotView(ctx, rawId) {
  const id = decodeURIComponent(rawId);
  const path = `/api/v1/ballots/${enc(id)}`;
  const { signal, user } = ctx;
  const [, , first] = await Promise.all([loadPart('votes'), loadStylesheet('/votes.css'), api.get(path, { signal })]);
  if (!first.document_id && first.proposal_id) {
    ctx.navigate(`/propuestas/${enc(first.proposal_id)}`, true); // a proposal's ballot lives on its page
    return;
  }
  let ballot = first;
  const kind = KINDS.includes(ballot.kind) ? ballot.kind : 'approval';
  const docPath = `/api/v1/documents/${enc(ballot.document_id)}`;
  const rival = ballot.options?.find((o) => o.proposal_id)?.proposal_id;
  let [doc, proposal] = await Promise.all([
    api.get(docPath, { signal }),
    rival ? api.get(`/api/v1/proposals/${enc(rival)}`, { signal }).catch(() => null) : null,
  ]);
  const section = doc.sections.find((s) => s.id === proposal?.section_id);
  const optionById = new Map((ballot.options || []).map((o) => [o.id, o]));
  const optionLabel = (optionId) => labelOf(optionById.get(optionId));

  const title = kind === 'approval' ? ['votes.title_approval', { title: doc.title, version: String(ballot.version) }]
    : kind === 'block' ? [ballot.section_ids.length === 1 ? 'votes.title_block_one' : 'votes.title_block_other', { n: String(ballot.section_ids.length) }]
      : section ? ['votes.title_alternatives', { section: sectionParam(section) }] : ['votes.title_alternatives_plain'];

  const status = h('span', { id: 'ballot-status', class: 'badge', 'data-test': 'ballot-status' });
  const deadline = h('span', { id: 'ballot-deadline' });
  const rule = h('div', { class: 'ballot-rule', id: 'ballot-rule' });
  const participation = h('div', { id: 'ballot-participation' });
  const tally = h('div', { id: 'ballot-tally' });
  const result = h('div', { id: 'ballot-result', 'data-test': 'ballot-result' });
  const myVote = h('div', { id: 'my-vote', role: 'status', class: 'my-vote' });
  const voteAlert = alertBox();
  const readOnly = h('p', { id: 'vote-readonly', class: 'notice', 'data-test': 'vote-readonly', hidden: true });
  const minutes = h('div', { id: 'ballot-minutes' });
  const adminAlert = alertBox();
  const admin = h('div', { id: 'ballot-admin' });
  const fact = (key, ...value) => h('div', null, h('dt', { t: [key] }), h('dd', null, ...value));
  const docLink = h('a', { href: `/documentos/${enc(ballot.document_id)}`, id: 'ballot-document', text: doc.title });

  // ---- the vote, by kind
  const voteHeading = nextId('vote');
  let voteControls;
  let ranking = null;
  let shownRanking = null; // the own ranking last put into the widget
  if (kind === 'alternatives' && ballot.method === 'ranked') {
    ranking = rankingWidget({ options: ballot.options, labelOf, initial: ballot.my_ranking || [] });
    shownRanking = JSON.stringify(ballot.my_ranking || []);
    const send = h('button', { type: 'button', class: 'btn btn-primary', id: 'send-ranking', t: ['votes.send_ranking'] });
    send.addEventListener('click', () => {
      const order = ranking.ranking();
      if (!order.length) {
        showError(voteAlert, null, 'votes.rank_one');
        return;
      }
      cast({ ranking: order }, send);
    });
    voteControls = [ranking.el, h('div', { class: 'actions' }, send)];
  } else if (kind === 'alternatives') {
    voteControls = [pluralityForm(ballot.options, (picked, send) => {
      if (!picked) showError(voteAlert, null, 'votes.pick_required');
      else cast({ option: picked }, send);
    })];
  } else {
    voteControls = [h('div', { class: 'actions vote-buttons', role: 'group', 'aria-labelledby': voteHeading },
      CHOICES.map((choice) => {
        const b = h('button', {
          type: 'button', class: `btn vote vote-${choice}`, 'data-choice': choice, 'aria-pressed': 'false', t: [`choice.${choice}`],
        });
        b.addEventListener('click', () => cast({ choice }, b));
        return b;
      }))];
  }
  const voteBox = h('section', { id: 'ballot-vote', class: 'vote-box', 'aria-labelledby': voteHeading, hidden: true },
    h('h2', { id: voteHeading, t: ['ballot.your_vote'] }),
    h('p', { class: 'hint', t: [kind === 'alternatives' && ballot.method === 'ranked' ? 'votes.rank_vote_hint' : 'ballot.vote_hint'] }),
    h('div', { class: 'vote-controls' }, voteControls), myVote, voteAlert);
  const controls = () => [...voteBox.querySelector('.vote-controls').querySelectorAll('button, input')];

  // ---- rendering
  let tick = 0;
  let refreshTimer = 0;
  let adminKey = '';
  let docFresh = ballot.status !== 'open';

  function render() {
    const b = ballot;
    tx(status, `ballot.status_${b.status}`);
    status.className = `badge ballot-${b.status}`;
    const eligible = b.participation?.eligible ?? b.eligible_organizations?.length ?? 0;
    fill(rule,
      kind === 'alternatives'
        ? h('p', { t: [b.method === 'ranked' ? 'votes.rule_ranked' : 'votes.rule_plurality'] })
        : h('p', { t: [`ballot.majority_${b.majority}`, { n: String(eligible) }] }),
      h('p', { t: b.quorum > 0
        ? ['ballot.quorum', { n: String(quorumCount(b.quorum, eligible)), of: String(eligible), pct: String(Math.round(b.quorum * 100)) }]
        : ['ballot.no_quorum'] }),
      h('p', { t: [b.secret ? 'ballot.secret' : 'ballot.public'] }),
      h('p', { t: [kind === 'alternatives' || !b.live_results ? 'ballot.not_live' : 'ballot.live'] }));
    renderDeadline();
    renderParticipation();
    renderTally();
    renderResult();
    renderVote();
    renderAdmin();
  }

  function renderDeadline() {
    clearTimeout(tick);
    const b = ballot;
    if (b.status !== 'open') {
      fill(deadline, b.closed_at ? h('span', { t: [b.status === 'cancelled' ? 'ballot.cancelled_at' : 'ballot.closed_at', { date: { date: b.closed_at, short: true } }] }) : null);
      return;
    }
    if (!b.closes_at) {
      fill(deadline, h('span', { t: ['ballot.no_deadline'] }));
      return;
    }
    const countdown = h('span', { id: 'ballot-countdown', 'data-test': 'countdown' });
    fill(deadline, h('span', { t: ['ballot.closes', { date: { date: b.closes_at, short: true } }] }), ' ', countdown);
    const left = () => (Date.parse(b.closes_at) - Date.now()) / 1000;
    const loop = () => {
      const s = left();
      if (s <= 0) {
        tx(countdown, 'ballot.closing');
        setTimeout(refreshSoon, 3000); // the server closes it at the deadline
        return;
      }
      tx(countdown, 'ballot.left', { left: { duration: s > 120 ? Math.ceil(s / 60) * 60 : s } });
      tick = setTimeout(loop, s > 180 ? 30000 : 1000);
    };
    loop();
  }

  function renderParticipation() {
    const p = ballot.participation || { voted: 0, eligible: 0, organizations: [] };
    const voted = new Set(p.organizations || []);
    const heading = nextId('part');
    fill(participation,
      h('h2', { id: heading, t: ['ballot.participation_heading'] }),
      h('p', { 'data-test': 'participation', t: ['ballot.participation', { n: String(p.voted), of: String(p.eligible) }] }),
      h('progress', { max: String(Math.max(1, p.eligible)), value: String(p.voted), 'aria-labelledby': heading }),
      h('details', { class: 'org-list' }, h('summary', { t: ['ballot.which'] }),
        h('ul', { class: 'orgs', id: 'ballot-orgs' }, (ballot.eligible_organizations || []).map((o) => h('li', {
          'data-voted': String(voted.has(o.id)), class: voted.has(o.id) ? 'voted' : 'pending',
        }, h('span', { text: o.name }), ' ', h('span', { class: 'hint', t: [voted.has(o.id) ? 'ballot.has_voted' : 'ballot.not_voted'] }))))));
  }

  const counts = (t) => h('dl', { class: 'tally', 'data-test': 'tally' }, CHOICES.map((c) =>
    h('div', { 'data-choice': c }, h('dt', { t: [`choice.${c}`] }), h('dd', { text: String(t[c] ?? 0) }))));

  function renderTally() {
    const t = ballot.tally;
    if (kind === 'alternatives' || !t || ballot.result) {
      fill(tally, ballot.status === 'open' && (kind === 'alternatives' || !ballot.live_results)
        ? h('p', { class: 'hint', t: ['ballot.tally_hidden'] }) : null);
      return;
    }
    fill(tally, h('h3', { t: ['ballot.tally_heading'] }), counts(t));
  }

  function renderResult() {
    const b = ballot;
    if (b.status === 'cancelled') {
      fill(result, h('p', { class: 'notice warn', t: ['ballot.cancelled', { reason: b.cancelled_reason ?? '' }] }));
    } else if (b.result && kind === 'alternatives' && b.alternatives) {
      fill(result, alternativesResult(b));
    } else if (b.result) {
      const r = b.result;
      const approval = kind === 'approval' && doc.approval?.ballot_id === b.id ? doc.approval : null;
      fill(result,
        h('h2', { t: ['ballot.result_heading'] }),
        h('p', { class: `result ${r.passed ? 'passed' : 'failed'}`, 'data-test': 'result', 'data-passed': String(r.passed),
          t: [r.passed ? 'ballot.passed' : 'ballot.failed'] }),
        counts(r),
        h('p', { t: [r.quorum_met ? 'ballot.quorum_met' : 'ballot.quorum_missed', { n: String(r.yes + r.no + r.abstain), of: String(r.eligible) }] }),
        r.passed && kind === 'block' ? h('p', { class: 'notice', t: ['votes.block_adopted'] }) : null,
        approval ? h('div', { class: 'notice phase-final', id: 'final-text', 'data-test': 'final-text' },
          h('p', { t: ['votes.final', { version: String(approval.version) }] }),
          h('p', { t: ['votes.final_hash'] }),
          h('p', { class: 'pre' }, h('code', { id: 'final-hash', 'data-test': 'final-hash', text: approval.text_sha256 })),
          h('p', null, h('a', { href: `/documentos/${enc(b.document_id)}`, t: ['votes.read_final'] }))) : null);
    } else {
      fill(result);
    }
    const lang = getLang();
    fill(minutes, b.status === 'closed' ? [
      kind === 'alternatives' && b.method === 'ranked' ? h('p', { class: 'hint', t: ['votes.minutes_matrix'] }) : null,
      h('p', { class: 'actions' },
        h('a', { href: `${path}/minutes?format=markdown&lang=${lang}`, id: 'minutes-markdown', class: 'btn btn-secondary', t: ['ballot.minutes_markdown'] }),
        h('a', { href: `${path}/minutes?format=json&lang=${lang}`, id: 'minutes-json', class: 'btn btn-secondary', t: ['ballot.minutes_json'] })),
    ] : null);
  }

  const eligibleHere = () => (ballot.eligible_organizations?.length
    ? ballot.eligible_organizations.some((o) => o.id === user.organization?.id)
    : user.organization?.kind === 'member');
  const mayVote = () => ballot.status === 'open' && (user.role === 'delegate' || user.role === 'secretariat') && eligibleHere();
  const hasVoted = () => (ballot.participation?.organizations || []).includes(user.organization?.id);

  function renderVote() {
    const b = ballot;
    const can = mayVote();
    const mine = b.my_ranking || (b.my_vote ? true : null);
    const erased = b.secret && b.status !== 'open' && !mine && hasVoted();
    voteBox.hidden = !can && !mine && !erased;
    voteBox.querySelector('.vote-controls').hidden = !can;
    for (const b2 of voteBox.querySelectorAll('button[data-choice]')) b2.setAttribute('aria-pressed', String(b.my_vote === b2.dataset.choice));
    if (ranking && b.my_ranking && JSON.stringify(b.my_ranking) !== shownRanking) {
      shownRanking = JSON.stringify(b.my_ranking);
      ranking.set(b.my_ranking);
    }
    if (kind === 'alternatives' && b.method === 'plurality' && b.my_ranking?.[0]) {
      const radio = voteBox.querySelector(`input[value="${CSS.escape(b.my_ranking[0])}"]`);
      if (radio && !voteBox.contains(document.activeElement)) radio.checked = true;
    }
    const final = b.status !== 'open';
    if (b.my_vote) fill(myVote, h('p', { t: [myVoteKey(b), { choice: { key: `choice.${b.my_vote}` } }] }));
    else if (b.my_ranking && b.method === 'plurality') fill(myVote, h('p', { t: [final ? 'votes.my_option_final' : 'votes.my_option', { label: optionLabel(b.my_ranking[0]) }] }));
    else if (b.my_ranking) {
      const rest = b.options.filter((o) => !b.my_ranking.includes(o.id));
      fill(myVote, h('p', { t: [final ? 'votes.my_ranking_final' : 'votes.my_ranking'] }),
        h('ol', { class: 'plain-list', 'data-test': 'my-ranking' }, b.my_ranking.map((oid) => h('li', { t: ['votes.label', { label: optionLabel(oid) }] }))),
        rest.length ? [h('p', { class: 'hint', t: ['votes.my_unranked'] }),
          h('ul', { class: 'plain-list hint' }, rest.map((o) => h('li', { t: ['votes.label', { label: labelOf(o) }] })))] : null);
    } else if (erased) fill(myVote, h('p', { t: ['ballot.my_vote_erased'] }));
    else if (can) fill(myVote, h('p', { t: ['ballot.not_yet'] }));
    else fill(myVote);
    // Who follows without voting is told why.
    const reason = b.status !== 'open' || can ? null
      : user.role === 'observer' ? 'votes.readonly_observer'
        : user.organization?.kind && user.organization.kind !== 'member' ? 'votes.readonly_nonmember' : 'votes.readonly_not_eligible';
    readOnly.hidden = !reason;
    if (reason) tx(readOnly, reason);
  }

  async function cast(body, button) {
    voteAlert.replaceChildren();
    const all = controls();
    setBusy(all, button, true);
    if (ranking) ranking.disable(true);
    try {
      const next = await api.put(`${path}/vote`, body);
      if (!ctx.current()) return;
      if (next?.id) ballot = next;
      setBusy(all, button, false);
      if (ranking) ranking.disable(false);
      render();
      (button.isConnected ? button : myVote).focus?.();
    } catch (err) {
      setBusy(all, button, false);
      if (ranking) ranking.disable(false);
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
    const controls = closeOrCancel(ctx, path, adminAlert, {
      closed: async (next) => { ballot = next; await refreshDoc(); render(); },
      cancelled: () => refresh(),
    });
    admin.replaceChildren(h('section', { class: 'panel', 'aria-labelledby': 'ballot-admin-h' },
      h('h2', { id: 'ballot-admin-h', t: ['ballot.admin_heading'] }), ...controls));
  }

  async function refreshDoc() {
    try {
      doc = await api.get(docPath, { signal });
      docFresh = true;
    } catch { /* the ballot still shows; the final text's hash waits for the next event */ }
  }

  async function refresh() {
    try {
      const next = await api.get(path, { signal });
      if (!ctx.current()) return;
      ballot = next;
      if (ballot.status !== 'open' && !docFresh) await refreshDoc();
      if (ctx.current()) render();
    } catch (err) {
      if (ctx.current() && err?.name !== 'AbortError') showError(adminAlert, err);
    }
  }
  const refreshSoon = () => {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(refresh, 300);
  };

  render();
  ctx.leave(() => {
    clearTimeout(tick);
    clearTimeout(refreshTimer);
  });
  ctx.show(['votes.page_title', { title: { key: title[0], params: title[1] } }],
    h('p', { class: 'crumbs' }, h('a', { href: `/documentos/${enc(ballot.document_id)}`, t: ['votes.back', { title: doc.title }] })),
    h('h1', { id: 'ballot-title', t: title }),
    h('p', { class: 'meta', id: 'ballot-meta' }, h('span', { class: 'badge', t: [`votes.kind_${kind}`] }), ' ', status),
    h('dl', { class: 'facts', id: 'ballot-facts' },
      fact('votes.document', docLink),
      kind === 'alternatives' ? fact('votes.method', h('span', { t: [`votes.method_${ballot.method}`] })) : null,
      kind === 'approval' ? fact('votes.version', String(ballot.version)) : null,
      fact('votes.opened', time(ballot.opened_at)),
      fact('votes.closing', deadline)),
    h('section', { class: 'panel ballot', id: 'ballot-panel', 'data-test': 'ballot-panel' }, result, voteBox, readOnly,
      participation, tally, minutes),
    h('section', { class: 'panel', 'aria-labelledby': 'ballot-rule-h' }, h('h2', { id: 'ballot-rule-h', t: ['votes.rule_heading'] }), rule),
    subjectPanel(kind, ballot, doc, section), adminAlert, admin);

  ctx.leave(live.follow(`document:${ballot.document_id}`, (message) => {
    if (message.type === 'subscribed') refreshSoon(); // what changed while away
    if (message.type !== 'event') return;
    const data = message.data || {};
    const event = message.kind || '';
    if (event === 'document.phase' || event === 'document.version') {
      docFresh = false;
      refreshSoon();
      return;
    }
    if (!event.startsWith('ballot.') || (data.ballot_id || data.ballot?.id) !== id) return;
    if (!message.replay && event === 'ballot.participation' && data.participation) {
      ballot = { ...ballot, participation: data.participation };
      renderParticipation();
    }
    refreshSoon();
  }));
}
