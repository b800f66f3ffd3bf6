// The NOC dashboard (seed 000): reads /api/v1/dashboard/* with the operator's API key (kept in
// this tab's sessionStorage only), redraws every 30 s, and acknowledges incidents in place.
(() => {
  'use strict';
  const REFRESH_MS = 30_000;
  const KEY = 'pagosflow.apiKey';
  const $ = (id) => document.getElementById(id);
  const charts = {};
  let timer;

  const fmtMoney = (byCurrency) => {
    const entries = Object.entries(byCurrency || {});
    if (entries.length === 0) return '0';
    return entries.map(([cur, v]) => new Intl.NumberFormat('es-AR', { style: 'currency', currency: cur }).format(v)).join(' · ');
  };
  const fmtPct = (v) => (v === null || v === undefined ? '—' : `${v.toFixed(1)} %`);
  const fmtMs = (v) => (v === null || v === undefined ? '—' : `${Math.round(v)} ms`);
  const el = (tag, attrs = {}, ...children) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === 'class') e.className = v;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v);
    }
    for (const c of children) e.append(c);
    return e;
  };

  class ApiError extends Error {
    constructor(status, body) {
      super(body?.error?.message || `HTTP ${status}`);
      this.status = status;
      this.body = body;
    }
  }

  async function api(path, opts = {}) {
    const res = await fetch(path, {
      method: opts.method || 'GET',
      headers: { authorization: `Bearer ${sessionStorage.getItem(KEY) || ''}`, ...(opts.body ? { 'content-type': 'application/json' } : {}) },
      body: opts.body ? JSON.stringify(opts.body) : undefined,
    });
    const body = await res.json().catch(() => null);
    if (!res.ok) throw new ApiError(res.status, body);
    return body;
  }

  function banner(message, kind = 'error', action) {
    const b = $('banner');
    b.replaceChildren(message, ...(action ? [' ', action] : []));
    b.className = `banner ${kind === 'info' ? 'info' : ''}`;
    b.hidden = false;
  }
  const clearBanner = () => ($('banner').hidden = true);

  function showSignin(message) {
    clearInterval(timer);
    $('board').hidden = true;
    $('signout').hidden = true;
    $('signin').hidden = false;
    $('signin-error').hidden = !message;
    $('signin-error').textContent = message || '';
    document.body.dataset.state = 'signin';
  }

  function chart(id, config) {
    if (charts[id]) {
      charts[id].data = config.data;
      charts[id].update();
    } else {
      charts[id] = new Chart($(id), config);
    }
  }

  function renderOverview(d) {
    const f = d.financials;
    $('fin-today').textContent = fmtMoney(f.total_processed_today);
    $('fin-month').textContent = fmtMoney(f.total_processed_month);
    $('fin-refunded-today').textContent = fmtMoney(f.refunded_today);
    $('fin-refunded-month').textContent = fmtMoney(f.refunded_month);
    $('fin-chargebacks-today').textContent = fmtMoney(f.charged_back_today);
    $('fin-chargebacks-month').textContent = fmtMoney(f.charged_back_month);
    $('fin-net-today').textContent = fmtMoney(f.net_processed_today);
    $('fin-net-month').textContent = fmtMoney(f.net_processed_month);
    $('fin-counts').textContent = `${f.payments_approved} / ${f.payments_pending} / ${f.payments_rejected}`;
    $('fin-rate').textContent = fmtPct(f.approval_rate);

    const hourly = d.trends.hourly_volume;
    chart('chart-hourly', {
      type: 'line',
      data: {
        labels: hourly.map((h) => new Date(h.hour).toLocaleTimeString('es-AR', { hour: '2-digit', minute: '2-digit' })),
        datasets: [
          { label: 'Pagos', data: hourly.map((h) => h.payments), borderColor: '#38bdf8', backgroundColor: 'rgba(56,189,248,0.2)', fill: true, tension: 0.3 },
          { label: 'Aprobados', data: hourly.map((h) => h.approved), borderColor: '#22c55e', tension: 0.3 },
        ],
      },
      options: { responsive: true, maintainAspectRatio: false, animation: false, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    });

    const days = d.trends.daily_revenue;
    const currencies = [...new Set(days.flatMap((x) => Object.keys(x.amount)))];
    const palette = ['#22c55e', '#38bdf8', '#f59e0b', '#a78bfa'];
    chart('chart-daily', {
      type: 'bar',
      data: {
        labels: days.map((x) => x.date.slice(5)),
        datasets: (currencies.length ? currencies : ['—']).map((cur, i) => ({ label: cur, data: days.map((x) => x.amount[cur] || 0), backgroundColor: palette[i % palette.length] })),
      },
      options: { responsive: true, maintainAspectRatio: false, animation: false, scales: { y: { beginAtZero: true } } },
    });

    const clients = Object.entries(d.performance.transactions_per_client).slice(0, 8);
    $('clients-empty').hidden = clients.length > 0;
    chart('chart-clients', {
      type: 'doughnut',
      data: { labels: clients.map(([c]) => c), datasets: [{ data: clients.map(([, n]) => n), backgroundColor: ['#38bdf8', '#22c55e', '#f59e0b', '#a78bfa', '#f472b6', '#facc15', '#34d399', '#fb7185'] }] },
      options: { responsive: true, maintainAspectRatio: false, animation: false, plugins: { legend: { position: 'right', labels: { color: '#e2e8f0' } } } },
    });

    $('services').replaceChildren(
      ...d.system_health.services.map((s) =>
        el('li', { 'data-service': s.name }, el('span', {}, el('span', { class: `dot ${s.status}` }), s.name), el('span', { class: 'muted' }, `${s.status}${s.response_time_ms !== null ? ` · ${s.response_time_ms} ms` : ''}`)),
      ),
    );

    const sec = d.security;
    $('threat-level').textContent = sec.threat_level;
    $('threat-count').textContent = `${sec.threats_last_hour} en la última hora`;
    $('threats').replaceChildren(
      ...(sec.top_threats.length ? sec.top_threats.map((t) => el('li', {}, el('span', {}, el('span', { class: `dot ${t.severity.toLowerCase()}` }), t.description), el('strong', {}, String(t.count)))) : [el('li', { class: 'muted' }, 'Sin amenazas')]),
    );

    const m = d.metadata;
    $('meta').textContent = `Snapshot ${m.generated_at} (${m.timezone}), ${m.buckets_read} buckets en ${m.computation_ms} ms${m.stale ? ' — DESACTUALIZADO' : ''}`;
  }

  function renderRealtime(r) {
    $('rt-ppm').textContent = r.payments_per_minute.toFixed(1);
    $('rt-payments').textContent = `${r.payments_last_hour.approved} ok / ${r.payments_last_hour.rejected} rech.`;
    $('rt-webhooks').textContent = `${r.webhooks_last_hour.total} (${r.webhooks_last_hour.failed} fallidos)`;
    $('rt-wh-rate').textContent = fmtPct(r.webhook_success_rate);
    $('rt-wh-time').textContent = `${fmtMs(r.webhook_avg_response_time)} / ${fmtMs(r.webhook_p95_response_time)}`;
    $('rt-incidents').textContent = String(r.open_incidents);
  }

  function renderIncidents(a) {
    const rows = a.incidents.map((i) =>
      el(
        'tr',
        { 'data-incident': i.dedup_key },
        el('td', {}, el('span', { class: `badge ${i.severity}` }, i.severity)),
        el('td', {}, el('div', {}, i.title), el('div', { class: 'muted' }, i.message)),
        el('td', { class: 'incident-status' }, i.status === 'acknowledged' ? `reconocido por ${i.acknowledged_by}` : i.status),
        el('td', {}, new Date(i.opened_at).toLocaleString('es-AR')),
        el(
          'td',
          { class: 'incident-count' },
          String(i.alert_count),
          ...(i.affected
            ? [
                el('div', { class: 'muted affected' }, `${i.affected.total} ejecuciones (${i.affected.open} sin recuperar)`),
                ...i.affected.executions
                  .filter((x) => !x.recovered_at)
                  .slice(0, 3)
                  .map((x) => el('div', {}, el('a', { href: x.url, target: '_blank', rel: 'noopener', class: 'affected-execution' }, x.workflow_id))),
              ]
            : []),
        ),
        el(
          'td',
          {},
          ...(i.status === 'triggered' ? [el('button', { type: 'button', class: 'ack', onclick: (ev) => acknowledge(i.dedup_key, ev.currentTarget) }, 'Reconocer'), ' '] : []),
          el('a', { href: i.execution.url, target: '_blank', rel: 'noopener', class: 'execution' }, 'Temporal'),
        ),
      ),
    );
    $('incidents').replaceChildren(...rows);
    $('incidents-empty').hidden = rows.length > 0;
  }

  async function acknowledge(dedupKey, button) {
    button.disabled = true;
    try {
      await api(`/api/v1/incidents/${encodeURIComponent(dedupKey)}/acknowledge`, { method: 'POST', body: { note: 'acknowledged from the dashboard' } });
      await load();
    } catch (err) {
      button.disabled = false;
      banner(err.status === 403 ? 'Tu API key no puede reconocer incidentes (rol operator o admin).' : `No se pudo reconocer: ${err.message}`);
    }
  }

  async function runCheck(button) {
    button.disabled = true;
    try {
      await api('/api/v1/dashboard/alerts/check', { method: 'POST' });
      await load();
    } catch (err) {
      button.disabled = false;
      banner(`El chequeo falló: ${err.message}`);
    }
  }

  async function load() {
    const board = $('board');
    board.classList.add('loading');
    document.body.dataset.state = 'loading';
    $('refresh').disabled = true;
    const [overview, realtime, alerts] = await Promise.allSettled([api('/api/v1/dashboard/overview'), api('/api/v1/dashboard/metrics/realtime'), api('/api/v1/dashboard/alerts')]);
    $('refresh').disabled = false;
    board.classList.remove('loading');
    const failures = [overview, realtime, alerts].filter((r) => r.status === 'rejected').map((r) => r.reason);
    if (failures.some((e) => e.status === 401)) return showSignin('La API key no es válida o fue revocada.');
    $('signin').hidden = true;
    $('signout').hidden = false;
    board.hidden = false;
    clearBanner();
    if (overview.status === 'fulfilled') renderOverview(overview.value.data);
    if (realtime.status === 'fulfilled') renderRealtime(realtime.value.data);
    if (alerts.status === 'fulfilled') renderIncidents(alerts.value.data);
    const noSnapshot = overview.status === 'rejected' && overview.reason.status === 404;
    const others = failures.filter((e) => !(noSnapshot && e === overview.reason));
    if (others.length) banner(`Error al cargar: ${others.map((e) => e.message).join('; ')}`);
    else if (noSnapshot) banner('Todavía no hay métricas calculadas.', 'info', el('button', { type: 'button', onclick: (ev) => runCheck(ev.currentTarget) }, 'Calcular ahora'));
    $('updated').textContent = `Actualizado ${new Date().toLocaleTimeString('es-AR')}`;
    document.body.dataset.state = others.length ? 'error' : 'ready';
  }

  function start() {
    clearInterval(timer);
    timer = setInterval(load, REFRESH_MS);
    return load();
  }

  $('signin-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    sessionStorage.setItem(KEY, $('api-key').value.trim());
    $('api-key').value = '';
    start();
  });
  $('signout').addEventListener('click', () => {
    sessionStorage.removeItem(KEY);
    showSignin();
  });
  $('refresh').addEventListener('click', () => load());

  if (sessionStorage.getItem(KEY)) start();
  else showSignin();
})();
