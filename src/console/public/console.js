// Technician console: charts (chart.js served by the app), live Markdown preview, confirmations.
// Every string comes from the page; every request is same-origin with the session's CSRF token.
'use strict';

(function () {
  const csrf = document.querySelector('meta[name="csrf-token"]')?.getAttribute('content') || '';

  // Confirmation for destructive forms (data-confirm holds the translated question).
  document.querySelectorAll('form[data-confirm]').forEach((form) => {
    form.addEventListener('submit', (event) => {
      if (!window.confirm(form.getAttribute('data-confirm'))) event.preventDefault();
    });
  });

  // Live preview: the server renders and sanitises the Markdown.
  const body = document.getElementById('body');
  const preview = document.getElementById('preview');
  if (body && preview) {
    let timer;
    let sequence = 0;
    const refresh = async () => {
      const mine = ++sequence;
      try {
        const res = await fetch('/admin/api/preview', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
          body: JSON.stringify({ markdown: body.value }),
          credentials: 'same-origin',
        });
        if (!res.ok || mine !== sequence) return;
        preview.innerHTML = (await res.json()).html;
      } catch {
        // Offline or signed out: the preview stays as it was; saving reports the real problem.
      }
    };
    body.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(refresh, 250);
    });
  }

  const dataEl = document.getElementById('report-data');
  if (!dataEl || typeof window.Chart === 'undefined') return;
  const data = JSON.parse(dataEl.textContent || '{}');
  const Chart = window.Chart;
  const colors = {
    deflected_confirmed: '#1a7f37', deflected_ended: '#4caf50', no_feedback: '#b0b7c3', not_helped: '#e0a800',
    unanswered: '#8d6e63', returned: '#ef6c00', escalated: '#c62828', pending: '#90caf9',
  };
  const outcomes = Object.keys(data.outcomeLabels || {});
  const percent = (v) => (v === undefined || v === null ? null : Math.round(v * 1000) / 10);
  const common = { responsive: true, maintainAspectRatio: false, animation: false };

  const perDay = document.getElementById('chart-per-day');
  if (perDay) {
    new Chart(perDay, {
      type: 'bar',
      data: {
        labels: data.perDay.map((d) => d.day),
        datasets: [
          { type: 'line', label: data.labels.conversations, data: data.perDay.map((d) => d.conversations), borderColor: '#0f2a47', backgroundColor: '#0f2a47', stack: 'conversations' },
          ...outcomes.map((o) => ({ label: data.outcomeLabels[o], data: data.perDay.map((d) => d.outcomes[o]), backgroundColor: colors[o], stack: 'outcomes' })),
        ],
      },
      options: { ...common, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } },
    });
  }
  const donut = document.getElementById('chart-outcomes');
  if (donut) {
    const settled = outcomes.filter((o) => o !== 'pending');
    new Chart(donut, {
      type: 'doughnut',
      data: { labels: settled.map((o) => data.outcomeLabels[o]), datasets: [{ data: settled.map((o) => data.outcomes[o]), backgroundColor: settled.map((o) => colors[o]) }] },
      options: { ...common, plugins: { legend: { position: 'right' } } },
    });
  }
  const rates = (id, segments) => {
    const el = document.getElementById(id);
    if (!el) return;
    new Chart(el, {
      type: 'bar',
      data: {
        labels: segments.map((s) => s.label),
        datasets: [
          { label: data.labels.deflection + ' (%)', data: segments.map((s) => percent(s.deflection)), backgroundColor: colors.deflected_confirmed },
          { label: data.labels.escalation + ' (%)', data: segments.map((s) => percent(s.escalation)), backgroundColor: colors.escalated },
        ],
      },
      options: { ...common, scales: { y: { beginAtZero: true, max: 100 } } },
    });
  };
  rates('chart-by-lang', data.byLang || []);
  rates('chart-by-channel', data.byChannel || []);
})();
