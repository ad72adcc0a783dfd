// Batchline console: progressive enhancement of server-rendered pages. Live parts follow the
// progress streams (Server-Sent Events) and fall back to polling the JSON API; every change is
// sent with the session's CSRF token.
(function () {
  'use strict';
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = csrfMeta ? csrfMeta.content : '';
  var page = document.body.dataset.page;

  function getJson(url) {
    return fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); });
  }
  function post(url) {
    return fetch(url, { method: 'POST', credentials: 'same-origin', headers: { 'X-CSRF-Token': csrf, Accept: 'application/json' } })
      .then(function (r) { return r.json().catch(function () { return {}; }).then(function (body) { return { status: r.status, body: body }; }); });
  }
  function text(el, value) { if (el) { el.textContent = value; } }
  function rows(tbody, list, cells, empty) {
    if (!tbody) { return; }
    tbody.innerHTML = '';
    if (!list.length) {
      var tr = document.createElement('tr'); var td = document.createElement('td');
      td.colSpan = 3; td.className = 'muted'; td.textContent = empty; tr.appendChild(td); tbody.appendChild(tr); return;
    }
    list.forEach(function (item) {
      var tr = document.createElement('tr');
      cells(item).forEach(function (value) { var td = document.createElement('td'); td.textContent = value; tr.appendChild(td); });
      tbody.appendChild(tr);
    });
  }
  /** Follows a stream; calls onEvent(type, data) and, if the stream cannot be used, poll() every interval. */
  function follow(url, types, onEvent, poll, interval) {
    var polling = null;
    function startPolling() { if (!polling) { poll(); polling = setInterval(poll, interval); } }
    if (!window.EventSource) { startPolling(); return; }
    var source = new EventSource(url);
    var received = false;
    types.forEach(function (type) {
      source.addEventListener(type, function (e) {
        received = true;
        var data = null; try { data = JSON.parse(e.data); } catch (ignored) { /* a heartbeat or a non-JSON note */ }
        onEvent(type, data, source);
      });
    });
    source.onerror = function () {
      // the server ends a stream when the batch is terminal or the stream is idle: fall back to polling
      if (source.readyState === EventSource.CLOSED) { startPolling(); }
    };
    // a stream that says nothing for a while (or is not served) does not leave the page stale
    setTimeout(function () { if (!received) { startPolling(); } }, interval * 4);
  }

  if (page === 'overview') {
    var live = document.getElementById('live');
    var pending = null;
    function refresh() {
      fetch('/ui/fragments/overview', { credentials: 'same-origin' }).then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) { if (html && live) { live.outerHTML = html; live = document.getElementById('live'); } });
    }
    function soon() { if (!pending) { pending = setTimeout(function () { pending = null; refresh(); }, 500); } }
    // the overview stream says when anything of this scope changed; the server renders the new state
    follow('/api/batches/events', ['overview'], soon, refresh, 2000);
    if (document.getElementById('infra')) {
      var infra = function () {
        getJson('/api/batches/health').then(function (h) {
          var broker = (h.resources || {}).broker || {};
          rows(document.querySelector('#queues tbody'), broker.itemQueues || [], function (q) { return [q.queue, q.messages, q.consumers]; },
            broker.status === 'unknown' ? 'broker not reachable' : 'no item queues');
        }).catch(function () { /* keep the last answer */ });
        getJson('/api/admin/dead-letters').then(function (d) {
          var queues = d.queues || {};
          rows(document.querySelector('#dead-letters tbody'), Object.keys(queues).map(function (k) { return [k, queues[k]]; }),
            function (q) { return q; }, 'none');
        }).catch(function () { /* keep the last answer */ });
        getJson('/api/workers').then(function (w) {
          rows(document.querySelector('#workers tbody'), w.data || [], function (x) {
            return [x.worker, x.state === 'alive' ? x.secondsSinceSeen + ' s ago' : 'gone', describeWork(x)];
          }, 'no worker has reported');
        }).catch(function () {
          rows(document.querySelector('#workers tbody'), [], null, 'worker heartbeats not available');
        });
      };
      infra(); setInterval(infra, 5000);
    }
  }

  function describeWork(w) {
    var held = w.inFlight || {};
    if (!held.chunks) { return 'idle'; }
    return held.chunks + ' chunk(s), ' + held.items + ' item(s) in hand' + (w.operations ? ' (' + w.operations.join(', ') + ')' : '');
  }

  if (page === 'batch') {
    var id = document.body.dataset.batch;
    var terminal = document.body.dataset.terminal === 'true';
    var points = [];
    var reloaded = false;
    function show(b) {
      if (!b || !b.counts) { return; }
      text(document.getElementById('status'), b.status);
      document.getElementById('status').className = 'status ' + b.status;
      text(document.getElementById('status-reason'), b.statusReason || '');
      text(document.getElementById('percent'), b.percent);
      text(document.getElementById('rate'), b.itemsPerSecond == null ? '–' : b.itemsPerSecond);
      text(document.getElementById('eta'), b.etaSeconds == null ? '–' : b.etaSeconds + ' s');
      ['pending', 'succeeded', 'failed', 'cancelled', 'timed_out'].forEach(function (k) {
        text(document.getElementById('count-' + k), b.counts[k]);
      });
      text(document.getElementById('count-crashed'), b.crashedItems || 0);
      var bar = document.getElementById('bar');
      bar.setAttribute('aria-valuenow', b.percent);
      document.getElementById('bar-fill').style.width = b.percent + '%';
      var ended = b.totalItems - b.counts.pending;
      points.push([Date.now(), ended, b.totalItems]);
      draw();
      var done = ['completed', 'failed', 'cancelled', 'timed_out'].indexOf(b.status) >= 0;
      if (done && !terminal && !reloaded) {
        reloaded = true;
        // the batch just ended: the server page now has the final errors and the retry button
        setTimeout(function () { window.location.reload(); }, 300);
      }
    }
    function draw() {
      var line = document.getElementById('progress-line');
      if (!line || points.length < 1) { return; }
      var t0 = points[0][0], t1 = Math.max(points[points.length - 1][0], t0 + 1);
      line.setAttribute('points', points.map(function (p) {
        return ((p[0] - t0) / (t1 - t0) * 600).toFixed(1) + ',' + (120 - p[1] / Math.max(1, p[2]) * 116).toFixed(1);
      }).join(' '));
    }
    function poll() { getJson('/api/batches/' + id).then(show).catch(function () { /* keep the last answer */ }); }
    if (!terminal) {
      follow('/api/batches/' + id + '/events', ['progress', 'end', 'gone'], function (type, data, source) {
        if (type === 'gone') { source.close(); text(document.getElementById('status'), 'deleted'); return; }
        show(data);
        if (type === 'end') { source.close(); }
      }, poll, 1000);
      var summary = document.getElementById('diagnosis-summary');
      var diagnose = function () {
        getJson('/api/batches/' + id + '/diagnosis').then(function (d) { text(summary, d.summary || ''); summary.className = ''; })
          .catch(function () { text(summary, 'No diagnosis available.'); });
      };
      diagnose(); setInterval(diagnose, 5000);
    }
    var result = document.getElementById('action-result');
    function act(button, path, question) {
      if (!button) { return; }
      button.addEventListener('click', function () {
        if (!window.confirm(question)) { return; }
        button.disabled = true;
        post('/api/batches/' + id + '/' + path).then(function (r) {
          if (r.status >= 200 && r.status < 300) {
            text(result, path === 'cancel' ? 'Cancelling: the batch is stopping.' : 'Retrying ' + (r.body.retriedItems || 0) + ' failed items.');
            setTimeout(function () { window.location.reload(); }, 800);
          } else {
            text(result, (r.body && (r.body.detail || r.body.title)) || ('refused with ' + r.status));
            button.disabled = false;
          }
        });
      });
    }
    act(document.getElementById('cancel'), 'cancel', 'Cancel this batch? Items not yet run will not run.');
    act(document.getElementById('retry'), 'retry', 'Retry the failed items of this batch?');
  }
}());
