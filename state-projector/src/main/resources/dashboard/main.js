// The fleet dashboard: sign in with a token, then poll the query API every second and render the
// summary, the table and (when one is open) a server's view. Every text from the API goes into the
// page through textContent, never as HTML.

import { ApiError, createApi, forgetToken, storedToken, storeToken } from './api.js';
import {
  PHASES, STAGES, TERMINAL, currentStep, currentWait, formatDateTime, formatDuration, formatTime,
  matches, outcomeOf, outcomeText, phaseText, sortStates, stepText, timeInPhase, toMillis,
} from './model.js';

const POLL_MS = 1000;
const LIST_LIMIT = 1000;

const $ = (id) => document.getElementById(id);

const ui = {
  signIn: $('sign-in'), form: $('token-form'), token: $('token'), tokenError: $('token-error'),
  app: $('app'), live: $('live'), identity: $('identity'), who: $('who'), signOut: $('sign-out'),
  totals: $('totals'), byPhase: $('by-phase'), byLocation: $('by-location'), byFailure: $('by-failure'), perHour: $('per-hour'),
  filters: $('filters'), filterText: $('filter-text'), filterPhase: $('filter-phase'), filterLocation: $('filter-location'),
  filterAccount: $('filter-account'), filterOutcome: $('filter-outcome'),
  table: $('table'), caption: $('table-caption'), rows: $('rows'),
  server: $('server'), serverTitle: $('server-title'), serverClose: $('server-close'), serverError: $('server-error'),
  facts: $('server-facts'), actions: $('actions'), reason: $('action-reason'), cancel: $('cancel-button'),
  release: $('release-button'), actionResult: $('action-result'), steps: $('server-steps'), timeline: $('timeline'),
  timelineAll: $('timeline-all'), confirm: $('confirm'), confirmTitle: $('confirm-title'), confirmText: $('confirm-text'),
};

/** The signed-in session; replaced on every sign-in so late answers of an old one are dropped. */
let session = null;
const view = {
  states: [],
  sort: { column: 'outcome', descending: false },
  filters: { text: '', phase: '', location: '', account: '', outcome: '' },
  clockOffset: 0,
  serverId: null,
  serverState: null,
  history: null,
};

// ------------------------------------------------------------------ sign in / out

async function signIn(token, remembered) {
  const attempt = { api: createApi(token), whoami: null, timer: null };
  showTokenError(null);
  try {
    attempt.whoami = await attempt.api.whoami();
  } catch (e) {
    if (remembered) forgetToken();
    showTokenError(e instanceof ApiError && (e.status === 401 || e.status === 403)
      ? 'This token was refused. Check it and try again: nothing is shown without a valid token.'
      : `The projector did not answer: ${e.message}.`);
    showSignIn();
    return;
  }
  storeToken(token);
  session = attempt;
  ui.who.textContent = attempt.whoami.operator
    ? `Operator ${attempt.whoami.operator}${attempt.whoami.canWrite ? ' (may cancel and release)' : ''}`
    : 'Read-only token';
  ui.signIn.hidden = true;
  ui.app.hidden = false;
  ui.identity.hidden = false;
  openFromHash();
  poll(attempt);
}

function signOut(message) {
  if (session?.timer) clearTimeout(session.timer);
  session = null;
  forgetToken();
  view.states = [];
  view.serverId = null;
  view.serverState = null;
  view.history = null;
  if (location.hash) history.replaceState(null, '', location.pathname);
  ui.actionResult.textContent = '';
  ui.serverTitle.textContent = '';
  ui.rows.replaceChildren();
  ui.totals.replaceChildren();
  [ui.byPhase, ui.byLocation, ui.byFailure, ui.perHour, ui.facts, ui.steps, ui.timeline].forEach((el) => el.replaceChildren());
  ui.server.hidden = true;
  ui.app.hidden = true;
  ui.identity.hidden = true;
  setLive('');
  showTokenError(message ?? null);
  showSignIn();
}

function showSignIn() {
  ui.signIn.hidden = false;
  ui.app.hidden = true;
  ui.token.value = '';
  ui.token.focus();
}

function showTokenError(message) {
  ui.tokenError.hidden = !message;
  ui.tokenError.textContent = message ?? '';
  ui.token.setAttribute('aria-invalid', message ? 'true' : 'false');
}

// ------------------------------------------------------------------ polling

async function poll(current) {
  if (session !== current) return;
  try {
    const requests = [current.api.summary(), current.api.reinstalls(LIST_LIMIT)];
    const serverId = view.serverId;
    if (serverId) {
      requests.push(current.api.reinstall(serverId).catch(missing), current.api.history(serverId).catch(missing));
    }
    const [summary, list, serverState, history] = await Promise.all(requests);
    if (session !== current) return;
    view.clockOffset = Date.parse(summary.generatedAt) - Date.now();
    view.states = list.reinstalls;
    renderSummary(summary);
    renderFilters();
    renderTable(list);
    if (serverId && serverId === view.serverId) {
      view.serverState = serverState;
      view.history = history;
      renderServer();
    }
    setLive(`Live, updated ${formatTime(now())}`);
  } catch (e) {
    if (session !== current) return;
    if (e instanceof ApiError && e.status === 401) {
      signOut('The token is no longer accepted. Sign in again.');
      return;
    }
    setLive(`Retrying: ${e.message}`, true);
  }
  if (session === current) current.timer = setTimeout(() => poll(current), POLL_MS);
}

/** A 404 of one server is an answer (nothing known yet), not a failed poll. */
function missing(e) {
  if (e instanceof ApiError && e.status === 404) return null;
  throw e;
}

function now() {
  return Date.now() + view.clockOffset;
}

function setLive(text, problem = false) {
  ui.live.textContent = text;
  ui.live.classList.toggle('problem', problem);
}

// ------------------------------------------------------------------ summary

function renderSummary(summary) {
  const phases = summary.byPhase ?? {};
  const totals = [
    ['total', 'Reinstalls', summary.total],
    ['active', 'In progress', summary.active],
    ['near-deadline', `Past ${summary.nearDeadlinePercent}% of a deadline`, summary.nearDeadline],
    ['queued', 'Queued', phases.QUEUED ?? 0],
    ['completed', 'Completed', phases.COMPLETED ?? 0],
    ['failed', 'Failed', phases.FAILED ?? 0],
    ['cancelled', 'Cancelled', phases.CANCELLED ?? 0],
    ['rejected', 'Rejected', phases.REJECTED ?? 0],
    ['quarantined', 'Quarantined servers', summary.quarantined],
  ];
  ui.totals.replaceChildren(...totals.map(([key, label, value]) => {
    const box = el('div', { class: `total total-${key}`, 'data-total': key });
    box.append(el('dt', {}, label), el('dd', {}, String(value ?? 0)));
    if (key === 'near-deadline' && value > 0) box.classList.add('warn');
    if (key === 'failed' && value > 0) box.classList.add('bad');
    return box;
  }));
  renderBars(ui.byPhase, PHASES.filter((p) => phases[p]).map((p) => [phaseText(p), phases[p], `phase-${p.toLowerCase()}`]), 'none');
  renderBars(ui.byLocation, Object.entries(summary.byLocation ?? {}).map(([k, v]) => [k, v]), 'none');
  renderBars(ui.byFailure, Object.entries(summary.failuresByKind ?? {}).map(([k, v]) => [phaseText(k), v, 'bad']), 'no failures');
  renderHours(summary.finishedPerHour ?? []);
}

function renderBars(list, entries, emptyText) {
  if (entries.length === 0) {
    list.replaceChildren(el('li', { class: 'empty' }, emptyText));
    return;
  }
  const max = Math.max(...entries.map(([, v]) => v));
  list.replaceChildren(...entries.map(([label, value, cls]) => {
    const bar = el('span', { class: `bar ${cls ?? ''}`, 'aria-hidden': 'true' });
    bar.style.width = `${Math.max(2, (value / max) * 100)}%`;
    const track = el('span', { class: 'bar-track' });
    track.append(bar);
    const li = el('li', {});
    li.append(el('span', { class: 'bar-label' }, label), track, el('span', { class: 'bar-value' }, String(value)));
    return li;
  }));
}

function renderHours(hours) {
  const max = Math.max(1, ...hours.map((h) => h.finished));
  ui.perHour.replaceChildren(...hours.map((h) => {
    const at = toMillis(h.hour);
    const hour = new Date(at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hour12: false });
    const li = el('li', { title: `${hour}: ${h.finished} finished (${h.COMPLETED} completed, ${h.FAILED} failed, ${h.CANCELLED} cancelled, ${h.REJECTED} rejected)` });
    const column = el('span', { class: 'hour-bar', 'aria-hidden': 'true' });
    for (const outcome of ['REJECTED', 'CANCELLED', 'FAILED', 'COMPLETED']) {
      if (h[outcome] > 0) {
        const part = el('span', { class: `part part-${outcome.toLowerCase()}` });
        part.style.height = `${(h[outcome] / max) * 100}%`;
        column.append(part);
      }
    }
    li.append(column, el('span', { class: 'hour-label' }, hour.slice(0, 2)),
      el('span', { class: 'visually-hidden' }, `${hour}: ${h.finished} finished`));
    return li;
  }));
}

// ------------------------------------------------------------------ filters and table

function renderFilters() {
  fillSelect(ui.filterPhase, [['', 'any'], ['ACTIVE', 'any in progress'], ...PHASES.map((p) => [p, phaseText(p)])], view.filters.phase);
  const locations = [...new Set(view.states.map((s) => s.location ?? ''))].filter(Boolean).sort();
  fillSelect(ui.filterLocation, [['', 'any'], ...locations.map((l) => [l, l])], view.filters.location);
  const accounts = [...new Set(view.states.map((s) => s.account))].filter(Boolean).sort();
  fillSelect(ui.filterAccount, [['', 'any'], ...accounts.map((a) => [a, a])], view.filters.account);
}

function fillSelect(select, options, selected) {
  const wanted = options.map(([v]) => v).join('\u0000');
  if (select.dataset.options !== wanted) {
    select.replaceChildren(...options.map(([value, label]) => new Option(label, value)));
    select.dataset.options = wanted;
  }
  // A filter on a value that vanished from the list is kept, so the table stays filtered.
  if (selected && !options.some(([v]) => v === selected)) select.append(new Option(selected, selected));
  select.value = selected;
}

function renderTable(list) {
  const at = now();
  const shown = sortStates(view.states.filter((s) => matches(s, view.filters)), view.sort.column, view.sort.descending, at);
  const focused = document.activeElement?.closest?.('#rows tr')?.dataset.server;
  const existing = new Map([...ui.rows.children].map((tr) => [tr.dataset.server, tr]));
  const rows = shown.map((state) => {
    const key = String(state.serverId);
    const tr = existing.get(key) ?? newRow(key);
    updateRow(tr, state, at);
    return tr;
  });
  const same = rows.length === ui.rows.children.length && rows.every((tr, i) => ui.rows.children[i] === tr);
  if (!same) ui.rows.replaceChildren(...rows);
  if (focused && document.activeElement === document.body) {
    ui.rows.querySelector(`tr[data-server="${CSS.escape(focused)}"] button`)?.focus({ preventScroll: true });
  }
  const filtered = rows.length !== view.states.length;
  ui.caption.textContent = `${rows.length} reinstall${rows.length === 1 ? '' : 's'}${filtered ? ` of ${view.states.length} (filtered)` : ''}`
    + `${list.count >= list.limit ? `, the newest ${list.limit} only` : ''}; updated every second. Select a server to see its timeline.`;
  for (const th of ui.table.querySelectorAll('th[data-sort]')) {
    if (th.dataset.sort === view.sort.column) th.setAttribute('aria-sort', view.sort.descending ? 'descending' : 'ascending');
    else th.removeAttribute('aria-sort');
  }
}

function newRow(key) {
  const tr = el('tr', { 'data-server': key });
  const open = el('button', { type: 'button', class: 'link', 'aria-label': `Open server ${key}` }, key);
  open.addEventListener('click', () => openServer(key));
  const first = el('th', { scope: 'row', 'data-col': 'server' });
  first.append(open, el('span', { class: 'sub' }));
  tr.append(first);
  for (const col of ['os', 'location', 'account', 'step', 'stage', 'deadline', 'outcome', 'updated']) {
    tr.append(el('td', { 'data-col': col, class: ['account', 'updated'].includes(col) ? 'optional' : '' }));
  }
  return tr;
}

function updateRow(tr, state, at) {
  const cells = Object.fromEntries([...tr.children].map((td) => [td.dataset.col, td]));
  const step = currentStep(state);
  const outcome = outcomeOf(state);
  const wait = currentWait(state, at);
  tr.dataset.phase = state.phase;
  tr.dataset.step = String(step);
  tr.dataset.stage = String(state.installStage ?? 0);
  tr.dataset.outcome = outcome;
  tr.className = `outcome-${outcome.toLowerCase()}${wait?.near ? ' near-deadline' : ''}${view.serverId === String(state.serverId) ? ' selected' : ''}`;
  setText(cells.server.querySelector('.sub'), state.hostname ?? '');
  setText(cells.os, state.osName ?? `OS ${state.osId}`);
  setText(cells.location, state.location ?? '–');
  setText(cells.account, state.account ?? '–');
  setText(cells.step, stepText(state));
  cells.step.title = phaseText(state.phase);

  const stage = Math.max(0, Math.min(5, state.installStage ?? 0));
  const stageText = `${stage}/5${stage > 0 ? ` ${STAGES[stage - 1]}` : ''}`;
  let progress = cells.stage.querySelector('progress');
  if (!progress) {
    progress = el('progress', { max: '5' });
    cells.stage.replaceChildren(progress, el('span', { class: 'stage-text' }));
  }
  progress.value = stage;
  progress.setAttribute('aria-label', `install stage ${stageText}`);
  setText(cells.stage.querySelector('.stage-text'), `${stage}/5`);
  cells.stage.title = stageText;

  if (wait) {
    let meter = cells.deadline.querySelector('meter');
    if (!meter) {
      meter = el('meter', { min: '0', max: '1', low: '0.6', high: '0.8', optimum: '0' });
      cells.deadline.replaceChildren(el('span', { class: 'wait-text' }), meter);
    }
    meter.value = Math.min(1, wait.share);
    meter.setAttribute('aria-label', `${Math.round(wait.share * 100)}% of the ${String(wait.kind).toLowerCase().replaceAll('_', ' ')} deadline used`);
    setText(cells.deadline.querySelector('.wait-text'), `${formatDuration(wait.elapsed)} / ${formatDuration(wait.window)}`);
    cells.deadline.title = `${String(wait.kind).toLowerCase().replaceAll('_', ' ')} deadline at ${formatDateTime(wait.deadline)}`;
  } else {
    const inPhase = TERMINAL.includes(state.phase) ? undefined : timeInPhase(state, at);
    cells.deadline.replaceChildren(document.createTextNode(inPhase === undefined ? '–' : formatDuration(inPhase)));
    cells.deadline.title = '';
  }

  let badge = cells.outcome.querySelector('.badge');
  if (!badge) {
    badge = el('span', {});
    cells.outcome.replaceChildren(badge);
  }
  badge.className = `badge badge-${outcome.toLowerCase()}`;
  setText(badge, outcomeText(state));
  cells.outcome.title = state.failureMessage ?? '';
  setText(cells.updated, `${formatDuration(at - (toMillis(state.updatedAt) ?? at))} ago`);
}

// ------------------------------------------------------------------ one server

function openServer(serverId, focus = true) {
  view.serverId = String(serverId);
  view.serverState = null;
  view.history = null;
  ui.actionResult.textContent = '';
  ui.reason.value = '';
  ui.serverError.hidden = true;
  ui.facts.replaceChildren();
  ui.steps.replaceChildren();
  ui.timeline.replaceChildren();
  ui.serverTitle.textContent = `Server ${serverId}`;
  ui.server.hidden = false;
  document.body.classList.add('server-open');
  if (location.hash !== `#server=${serverId}`) history.replaceState(null, '', `#server=${serverId}`);
  if (focus) ui.serverTitle.focus();
  refreshServer();
}

function closeServer() {
  const id = view.serverId;
  view.serverId = null;
  ui.server.hidden = true;
  document.body.classList.remove('server-open');
  if (location.hash) history.replaceState(null, '', location.pathname);
  const row = id && ui.rows.querySelector(`tr[data-server="${CSS.escape(id)}"] button`);
  if (row) row.focus();
}

async function refreshServer() {
  const current = session;
  const serverId = view.serverId;
  if (!current || !serverId) return;
  try {
    const [serverState, history] = await Promise.all([
      current.api.reinstall(serverId).catch(missing), current.api.history(serverId).catch(missing)]);
    if (session !== current || view.serverId !== serverId) return;
    view.serverState = serverState;
    view.history = history;
    renderServer();
  } catch (e) {
    if (session === current && view.serverId === serverId) showServerError(e.message);
  }
}

function openFromHash() {
  const match = /^#server=(\d{1,18})$/.exec(location.hash);
  if (match && session) openServer(match[1], false);
  else if (!match && view.serverId) closeServer();
}

function showServerError(message) {
  ui.serverError.hidden = !message;
  ui.serverError.textContent = message ?? '';
}

function renderServer() {
  const state = view.serverState;
  const at = now();
  if (!state) {
    showServerError(`No reinstall is known for server ${view.serverId}.`);
    ui.actions.hidden = true;
    return;
  }
  showServerError(null);
  ui.serverTitle.textContent = `Server ${state.serverId}${state.hostname ? ` · ${state.hostname}` : ''}`;
  ui.server.dataset.phase = state.phase;
  const terminal = TERMINAL.includes(state.phase);
  const wait = currentWait(state, at);
  const facts = [
    ['Outcome', outcomeText(state), `badge badge-${outcomeOf(state).toLowerCase()}`],
    ['Phase', phaseText(state.phase)],
    ['Step', stepText(state)],
    ['Install stage', `${state.installStage ?? 0}/5${state.installStage > 0 ? ` (${STAGES[state.installStage - 1]})` : ''}`],
    ['OS', state.osName ?? `OS ${state.osId}`],
    ['Location', state.location ?? '–'],
    ['Account', state.account],
    ['Requested by', state.requestedBy],
    ['Request', state.requestId],
    ['Requested', formatDateTime(toMillis(state.requestedAt))],
  ];
  if (state.admittedAt) facts.push(['Admitted', formatDateTime(toMillis(state.admittedAt))]);
  if (state.finishedAt) facts.push(['Finished', `${formatDateTime(toMillis(state.finishedAt))} (took ${formatDuration(toMillis(state.finishedAt) - toMillis(state.requestedAt))})`]);
  if (wait) {
    facts.push(['Current wait', `${String(wait.kind).toLowerCase().replaceAll('_', ' ')}: ${formatDuration(wait.elapsed)} of ${formatDuration(wait.window)} (${Math.round(wait.share * 100)}%)`,
      wait.near ? 'near' : '']);
    facts.push(['Deadline', `${formatDateTime(wait.deadline)}, in ${formatDuration(wait.deadline - at)}`, wait.near ? 'near' : '']);
  }
  if (state.reinstallDeadlineAt && !terminal) facts.push(['Whole reinstall by', formatDateTime(toMillis(state.reinstallDeadlineAt))]);
  if (state.retryAt && !terminal) facts.push(['Retry at', `${formatDateTime(toMillis(state.retryAt))} (attempt ${state.stepAttempt})`]);
  if (state.cancelRequested) facts.push(['Cancel', terminal ? 'requested' : 'requested: cleaning up after the step in flight']);
  if (state.failureKind || state.failureMessage) {
    facts.push(['Failure', `${state.failureKind ? phaseText(state.failureKind) : ''}${state.failurePhase ? ` in ${phaseText(state.failurePhase)}` : ''}`, 'bad']);
    if (state.failureMessage) facts.push(['Reason', state.failureMessage, 'bad']);
  }
  const quarantine = state.quarantine ?? {};
  facts.push(['Failures in a row', `${quarantine.consecutiveFailures ?? 0}${quarantine.quarantined ? ` (QUARANTINED at ${quarantine.after})` : ` (quarantine at ${quarantine.after ?? '?'})`}`,
    quarantine.quarantined ? 'bad' : '']);
  ui.facts.replaceChildren(...facts.flatMap(([term, value, cls]) => {
    const dd = el('dd', { class: cls ?? '' });
    dd.textContent = value ?? '–';
    return [el('dt', {}, term), dd];
  }));

  const canWrite = Boolean(session?.whoami?.canWrite);
  ui.actions.hidden = !canWrite;
  ui.cancel.disabled = terminal || state.cancelRequested;
  ui.release.disabled = !(quarantine.consecutiveFailures > 0);

  renderSteps(state, at);
  renderTimeline(state, at);
}

/**
 * The nine steps as the projector reports them (the state's progress): status, when each began, how
 * long it took (the running one until now).
 */
function renderSteps(state, at) {
  const steps = state.progress?.steps ?? [];
  ui.steps.replaceChildren(...steps.map((s) => {
    const start = toMillis(s.startedAt);
    const running = s.running;
    const end = toMillis(s.endedAt);
    const duration = start === undefined || s.status === 'skipped' ? '' : formatDuration((running ? at : end ?? at) - start);
    const li = el('li', { class: `step step-${s.status.split(',')[0]}${running ? ' step-running' : ''}`, 'data-step': String(s.step) });
    li.append(el('span', { class: 'step-name' }, `${s.step}. ${s.label}`),
      el('span', { class: 'step-status' }, s.status),
      el('span', { class: 'step-time' }, duration === '' ? '' : `${formatTime(start)} · ${duration}`));
    return li;
  }));
}

function renderTimeline(state, at) {
  const entries = (view.history?.entries ?? [])
    .filter((e) => ui.timelineAll.checked || !e.reinstallId || e.reinstallId === state.reinstallId);
  const items = [];
  let previous;
  for (const entry of entries) {
    const time = toMillis(entry.at);
    const li = el('li', { class: `event level-${entry.level.toLowerCase()}`, 'data-type': entry.type });
    const when = el('time', { datetime: entry.at }, formatTime(time));
    const delta = el('span', { class: 'delta' }, previous === undefined ? '' : `+${formatDuration(time - previous)}`);
    const step = el('span', { class: 'step-badge' }, entry.step > 0 ? `${entry.step}/9` : '');
    const text = el('span', { class: 'summary' }, entry.summary);
    if (entry.source) text.append(el('span', { class: 'source' }, ` · ${entry.source}`));
    li.append(when, delta, step, text);
    items.push(li);
    previous = time;
  }
  if (TERMINAL.includes(state.phase) && state.finishedAt) {
    const time = toMillis(state.finishedAt);
    const li = el('li', { class: `event end level-${state.phase === 'COMPLETED' ? 'info' : 'error'}`, 'data-type': 'finished' });
    li.append(el('time', { datetime: state.finishedAt }, formatTime(time)),
      el('span', { class: 'delta' }, previous === undefined ? '' : `+${formatDuration(time - previous)}`),
      el('span', { class: 'step-badge' }, ''),
      el('span', { class: 'summary' }, `${state.phase}${state.failureMessage ? `: ${state.failureMessage}` : ''}`));
    items.push(li);
  } else if (previous !== undefined) {
    const li = el('li', { class: 'event waiting', 'data-type': 'waiting' });
    li.append(el('time', {}, formatTime(at)), el('span', { class: 'delta' }, `+${formatDuration(at - previous)}`),
      el('span', { class: 'step-badge' }, ''), el('span', { class: 'summary' }, `waiting: ${phaseText(state.phase)}`));
    items.push(li);
  }
  if (items.length === 0) items.push(el('li', { class: 'empty' }, 'No events yet.'));
  ui.timeline.replaceChildren(...items);
}

async function act(kind) {
  const current = session;
  const serverId = view.serverId;
  if (!current || !serverId) return;
  const reason = ui.reason.value.trim();
  ui.confirmTitle.textContent = kind === 'cancel' ? `Cancel the reinstall of server ${serverId}?` : `Release server ${serverId} from quarantine?`;
  ui.confirmText.textContent = kind === 'cancel'
    ? 'The saga stops after the step in flight, boots the server from disk and clears its PXE config. This cannot be undone.'
    : 'The count of failed reinstalls in a row starts again, so new reinstalls of this server are accepted.';
  ui.confirm.returnValue = '';
  ui.confirm.showModal();
  const answer = await new Promise((resolve) => ui.confirm.addEventListener('close', () => resolve(ui.confirm.returnValue), { once: true }));
  if (answer !== 'confirm' || session !== current) return;
  ui.actionResult.textContent = 'Sending…';
  try {
    const result = kind === 'cancel' ? await current.api.cancel(serverId, reason) : await current.api.release(serverId, reason);
    ui.actionResult.textContent = `${result.command} sent as ${result.issuedBy} (command ${result.commandId}); the timeline shows what follows.`;
    ui.actionResult.className = 'action-result ok';
  } catch (e) {
    ui.actionResult.textContent = `Not sent: ${e.message}`;
    ui.actionResult.className = 'action-result error';
  }
  refreshServer();
}

// ------------------------------------------------------------------ helpers and wiring

function el(tag, attributes, text) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== '' && value !== undefined && value !== null) node.setAttribute(name, value);
  }
  if (text !== undefined) node.textContent = text;
  return node;
}

function setText(node, text) {
  if (node && node.textContent !== text) node.textContent = text;
}

function rerender() {
  if (!session) return;
  renderTable({ count: view.states.length, limit: LIST_LIMIT });
}

ui.form.addEventListener('submit', (event) => {
  event.preventDefault();
  const token = ui.token.value.trim();
  ui.token.value = '';
  if (!token) {
    showTokenError('Enter a token.');
    return;
  }
  signIn(token, false);
});
ui.signOut.addEventListener('click', () => signOut(null));
ui.filters.addEventListener('submit', (event) => event.preventDefault());
function applyFilters() {
  view.filters = {
    text: ui.filterText.value.trim(),
    phase: ui.filterPhase.value,
    location: ui.filterLocation.value,
    account: ui.filterAccount.value,
    outcome: ui.filterOutcome.value,
  };
  rerender();
}
// Typing fires input; a select fires change (and input, in most browsers).
ui.filters.addEventListener('input', applyFilters);
ui.filters.addEventListener('change', applyFilters);
for (const th of ui.table.querySelectorAll('th[data-sort]')) {
  th.querySelector('button').addEventListener('click', () => {
    const column = th.dataset.sort;
    view.sort = { column, descending: view.sort.column === column ? !view.sort.descending : column === 'updated' || column === 'deadline' };
    rerender();
  });
}
ui.serverClose.addEventListener('click', closeServer);
ui.cancel.addEventListener('click', () => act('cancel'));
ui.release.addEventListener('click', () => act('release'));
ui.timelineAll.addEventListener('change', () => view.serverState && renderTimeline(view.serverState, now()));
window.addEventListener('hashchange', openFromHash);
document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && !ui.server.hidden && !ui.confirm.open) {
    event.preventDefault();
    closeServer();
  } else if (event.key === '/' && session && !['INPUT', 'SELECT', 'TEXTAREA'].includes(document.activeElement?.tagName)) {
    event.preventDefault();
    ui.filterText.focus();
  }
});

const remembered = storedToken();
if (remembered) signIn(remembered, true);
else showSignIn();
