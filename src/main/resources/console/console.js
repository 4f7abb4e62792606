// The delivery console: a page over the admin API (/admin/...), with the admin token the user types in,
// kept in sessionStorage (this tab only) and sent as a bearer token. Every value from the server is put on
// the page as text, never as HTML. Plain script, no build step, no third-party code.
(function () {
  'use strict';

  var TOKEN_KEY = 'im-callback-bridge.admin-token';
  var SVG = 'http://www.w3.org/2000/svg';
  var page = { filters: {}, cursor: null, next: null, rows: [] };

  function byId(id) {
    return document.getElementById(id);
  }

  function token() {
    return window.sessionStorage.getItem(TOKEN_KEY);
  }

  // --- the admin API -------------------------------------------------------------------------------------

  function call(method, path) {
    return new Promise(function (resolve, reject) {
      if (!token()) {
        // signed out meanwhile (another tab of this page, or the storage cleared): no request without a token
        reject({ status: 401, detail: 'not signed in' });
        return;
      }
      var xhr = new XMLHttpRequest();
      xhr.open(method, path);
      xhr.setRequestHeader('Authorization', 'Bearer ' + token());
      xhr.setRequestHeader('Accept', 'application/json');
      xhr.onload = function () {
        var body = null;
        try {
          body = xhr.responseText ? JSON.parse(xhr.responseText) : null;
        } catch (notJson) {
          body = null;
        }
        if (xhr.status >= 200 && xhr.status < 300) {
          resolve(body);
        } else {
          reject({ status: xhr.status, detail: body && body.detail ? body.detail : 'HTTP ' + xhr.status });
        }
      };
      xhr.onerror = function () {
        reject({ status: 0, detail: 'the bridge cannot be reached' });
      };
      xhr.send();
    });
  }

  function query(values) {
    var parts = [];
    Object.keys(values).forEach(function (name) {
      if (values[name] !== undefined && values[name] !== null && values[name] !== '') {
        parts.push(encodeURIComponent(name) + '=' + encodeURIComponent(values[name]));
      }
    });
    return parts.length ? '?' + parts.join('&') : '';
  }

  // --- small helpers for the page -------------------------------------------------------------------------

  function say(text, isError) {
    var status = byId('status');
    status.textContent = text;
    status.className = isError ? 'error' : '';
  }

  function failed(problem) {
    if (problem && problem.status === 401) {
      signOut('The admin token is no longer accepted: sign in again.');
      return;
    }
    say((problem && problem.detail) || 'The request failed.', true);
  }

  function cell(row, label, text) {
    var td = document.createElement('td');
    td.setAttribute('data-label', label);
    td.textContent = text === null || text === undefined ? '–' : String(text);
    row.appendChild(td);
    return td;
  }

  function button(text, label, onClick) {
    var b = document.createElement('button');
    b.type = 'button';
    b.textContent = text;
    if (label) {
      b.setAttribute('aria-label', label);
    }
    b.addEventListener('click', onClick);
    return b;
  }

  function clear(element) {
    while (element.firstChild) {
      element.removeChild(element.firstChild);
    }
  }

  function time(iso) {
    return iso ? String(iso).replace('T', ' ').replace(/(\.\d+)?Z$/, ' UTC') : null;
  }

  function age(seconds) {
    if (seconds === null || seconds === undefined) {
      return null;
    }
    if (seconds < 120) {
      return seconds + ' s';
    }
    if (seconds < 7200) {
      return Math.round(seconds / 60) + ' min';
    }
    return Math.round(seconds / 3600) + ' h';
  }

  function isoFromLocal(value) {
    return value ? new Date(value).toISOString() : null;
  }

  // --- sign-in --------------------------------------------------------------------------------------------

  function signIn(event) {
    event.preventDefault();
    var field = byId('token');
    var typed = field.value.trim();
    field.value = '';
    if (!typed) {
      return;
    }
    window.sessionStorage.setItem(TOKEN_KEY, typed);
    call('GET', '/admin/targets').then(function (summary) {
      showConsole(summary);
    }, function (problem) {
      window.sessionStorage.removeItem(TOKEN_KEY);
      showSignIn(problem.status === 401 ? 'That is not the admin token.' : problem.detail);
    });
  }

  function signOut(message) {
    window.sessionStorage.removeItem(TOKEN_KEY);
    showSignIn(message || '');
  }

  function showSignIn(message) {
    byId('app').hidden = true;
    byId('sign-out').hidden = true;
    byId('sign-in').hidden = false;
    byId('sign-in-error').textContent = message;
    byId('token').focus();
  }

  function showConsole(summary) {
    byId('sign-in').hidden = true;
    byId('app').hidden = false;
    byId('sign-out').hidden = false;
    showTargets(summary);
    loadActivity();
    loadDeliveries(null);
  }

  // --- targets and activity -------------------------------------------------------------------------------

  function loadTargets() {
    return call('GET', '/admin/targets').then(showTargets, failed);
  }

  function showTargets(summary) {
    var body = byId('targets').tBodies[0];
    var select = byId('filter-target');
    var chosen = select.value;
    clear(body);
    while (select.options.length > 1) {
      select.remove(1);
    }
    summary.targets.forEach(function (target) {
      var row = document.createElement('tr');
      cell(row, 'Target', target.name + (target.configured ? '' : ' (no longer configured)')
        + (target.enabled === false ? ' (disabled)' : ''));
      cell(row, 'Pending', target.pending);
      cell(row, 'Oldest pending', age(target.oldest_pending_seconds));
      cell(row, 'Delivered (1 h)', target.delivered_last_hour);
      cell(row, 'Dead', target.dead);
      cell(row, 'Max in flight', target.max_in_flight);
      body.appendChild(row);
      var option = document.createElement('option');
      option.value = target.name;
      option.textContent = target.name;
      select.appendChild(option);
    });
    select.value = chosen;
  }

  function loadActivity() {
    return call('GET', '/admin/activity').then(drawActivity, failed);
  }

  function drawActivity(activity) {
    var box = byId('activity');
    clear(box);
    var minutes = activity.minutes;
    var width = 600;
    var height = 150;
    var highest = 1;
    var callbacks = 0;
    var delivered = 0;
    var failedAttempts = 0;
    minutes.forEach(function (m) {
      highest = Math.max(highest, m.callbacks, m.delivered + m.failed);
      callbacks += m.callbacks;
      delivered += m.delivered;
      failedAttempts += m.failed;
    });
    var svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('viewBox', '0 0 ' + width + ' ' + (height + 20));
    svg.setAttribute('preserveAspectRatio', 'none');
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', 'Last hour: ' + callbacks + ' callbacks received, ' + delivered
      + ' deliveries made, ' + failedAttempts + ' attempts failed');
    var slot = width / minutes.length;
    var points = [];
    function bar(x, barWidth, barHeight, kind) {
      var rect = document.createElementNS(SVG, 'rect');
      rect.setAttribute('x', x.toFixed(1));
      rect.setAttribute('y', (height - barHeight).toFixed(1));
      rect.setAttribute('width', barWidth.toFixed(1));
      rect.setAttribute('height', barHeight.toFixed(1));
      rect.setAttribute('class', kind);
      svg.appendChild(rect);
    }
    minutes.forEach(function (m, i) {
      var x = i * slot;
      bar(x + slot * 0.15, slot * 0.7, m.callbacks / highest * height, 'callbacks');
      if (m.failed > 0) {
        bar(x + slot * 0.3, slot * 0.4, Math.max(2, m.failed / highest * height), 'failed');
      }
      points.push((x + slot / 2).toFixed(1) + ',' + (height - m.delivered / highest * height).toFixed(1));
    });
    var line = document.createElementNS(SVG, 'polyline');
    line.setAttribute('points', points.join(' '));
    line.setAttribute('class', 'delivered');
    svg.appendChild(line);
    var axis = document.createElementNS(SVG, 'line');
    axis.setAttribute('x1', '0');
    axis.setAttribute('x2', String(width));
    axis.setAttribute('y1', String(height));
    axis.setAttribute('y2', String(height));
    axis.setAttribute('class', 'axis');
    svg.appendChild(axis);
    box.appendChild(svg);

    var legend = document.createElement('p');
    legend.className = 'legend';
    [['callbacks', 'callbacks received: ' + callbacks],
      ['delivered', 'deliveries made: ' + delivered],
      ['failed', 'failed attempts: ' + failedAttempts],
      ['scale', 'highest minute: ' + highest + ', from ' + time(activity.since)]].forEach(function (item) {
      var entry = document.createElement('span');
      entry.className = 'key ' + item[0];
      entry.textContent = item[1];
      legend.appendChild(entry);
    });
    box.appendChild(legend);
  }

  // --- deliveries -----------------------------------------------------------------------------------------

  function readFilters() {
    return {
      target: byId('filter-target').value,
      status: byId('filter-status').value,
      from: isoFromLocal(byId('filter-from').value),
      to: isoFromLocal(byId('filter-to').value),
      group: byId('filter-group').value.trim(),
      topic: byId('filter-topic').value.trim(),
      webhookId: byId('filter-webhook-id').value.trim()
    };
  }

  function loadDeliveries(cursor) {
    var values = {};
    Object.keys(page.filters).forEach(function (name) {
      values[name] = page.filters[name];
    });
    values.limit = 50;
    values.cursor = cursor;
    return call('GET', '/admin/deliveries' + query(values)).then(function (result) {
      page.cursor = cursor;
      page.next = result.next;
      page.rows = result.deliveries;
      showDeliveries();
    }, failed);
  }

  function showDeliveries() {
    var body = byId('deliveries').tBodies[0];
    clear(body);
    if (page.rows.length === 0) {
      var empty = document.createElement('tr');
      var td = cell(empty, 'Deliveries', 'No delivery matches these filters.');
      td.colSpan = 8;
      body.appendChild(empty);
    }
    page.rows.forEach(function (delivery) {
      var row = document.createElement('tr');
      row.setAttribute('data-id', delivery.id);
      var pick = document.createElement('td');
      pick.setAttribute('data-label', 'Select');
      var box = document.createElement('input');
      box.type = 'checkbox';
      box.value = delivery.id;
      box.className = 'pick';
      box.setAttribute('aria-label', 'Select delivery ' + delivery.event_id);
      pick.appendChild(box);
      row.appendChild(pick);
      var id = document.createElement('td');
      id.className = 'id';
      id.setAttribute('data-label', 'webhook-id');
      id.appendChild(button(delivery.event_id, 'Show delivery ' + delivery.event_id, function () {
        showDetail(delivery.id);
      }));
      id.firstChild.className = 'link';
      row.appendChild(id);
      cell(row, 'Target', delivery.target);
      cell(row, 'Status', delivery.status).className = 'status ' + String(delivery.status).toLowerCase();
      cell(row, 'Attempts', delivery.attempts);
      cell(row, 'Topic or group', delivery.topic_id || delivery.group_id).className = 'id';
      cell(row, 'Created', time(delivery.created_at));
      var actions = document.createElement('td');
      actions.setAttribute('data-label', 'Replay');
      var replay = button('Replay', 'Replay delivery ' + delivery.event_id, function () {
        replayOne(delivery.id);
      });
      replay.disabled = delivery.status === 'PENDING';
      actions.appendChild(replay);
      row.appendChild(actions);
      body.appendChild(row);
    });
    byId('next-page').disabled = !page.next;
  }

  function refresh(message) {
    say(message);
    loadDeliveries(page.cursor);
    loadTargets();
    loadActivity();
  }

  function replayOne(id) {
    call('POST', '/admin/deliveries/' + encodeURIComponent(id) + '/replay').then(function (result) {
      refresh('Replayed ' + result.replayed + ' delivery: it is sent again now, with the same webhook-id.');
    }, failed);
  }

  function replaySelected() {
    var ids = [];
    Array.prototype.forEach.call(document.querySelectorAll('#deliveries input.pick'), function (box) {
      if (box.checked) {
        ids.push(box.value);
      }
    });
    if (ids.length === 0) {
      say('Select the deliveries to replay first.', true);
      return;
    }
    if (!window.confirm('Replay ' + ids.length + ' selected deliveries?')) {
      return;
    }
    var replayed = 0;
    var skipped = 0;
    var chain = Promise.resolve();
    ids.forEach(function (id) {
      chain = chain.then(function () {
        return call('POST', '/admin/deliveries/' + encodeURIComponent(id) + '/replay').then(function (result) {
          replayed += result.replayed;
        }, function (problem) {
          if (problem.status === 404) {
            skipped += 1;
          } else {
            throw problem;
          }
        });
      });
    });
    chain.then(function () {
      refresh('Replayed ' + replayed + ' deliveries' + (skipped ? ' (' + skipped + ' still pending, not replayed)' : '') + '.');
    }, failed);
  }

  function replayDead() {
    var filters = readFilters();
    if (!filters.target) {
      say('Choose a target in the filters first: dead deliveries are replayed one target at a time.', true);
      return;
    }
    var range = (filters.from ? ' created from ' + time(filters.from) : '') + (filters.to ? ' created before ' + time(filters.to) : '');
    if (!window.confirm('Replay every dead delivery of ' + filters.target + (range || ', whenever created') + '?')) {
      return;
    }
    call('POST', '/admin/deliveries/replay' + query({ target: filters.target, from: filters.from, to: filters.to }))
      .then(function (result) {
        refresh('Replayed ' + result.replayed + ' dead deliveries of ' + filters.target + '.');
      }, failed);
  }

  // --- one delivery ---------------------------------------------------------------------------------------

  function showDetail(id) {
    call('GET', '/admin/deliveries/' + encodeURIComponent(id)).then(function (delivery) {
      var fields = byId('detail-fields');
      clear(fields);
      [['webhook-id', delivery.event_id], ['Event type', delivery.event_type], ['Target', delivery.target],
        ['Status', delivery.status], ['Attempts', delivery.attempts_made], ['Group ID', delivery.group_id],
        ['Created', time(delivery.created_at)], ['Next attempt', delivery.status === 'PENDING' ? time(delivery.next_attempt_at) : null],
        ['Delivered', time(delivery.delivered_at)], ['Dead since', time(delivery.dead_at)]].forEach(function (pair) {
        if (pair[1] !== null && pair[1] !== undefined) {
          var term = document.createElement('dt');
          term.textContent = pair[0];
          var value = document.createElement('dd');
          value.textContent = String(pair[1]);
          fields.appendChild(term);
          fields.appendChild(value);
        }
      });
      var payload = delivery.payload;
      try {
        payload = JSON.stringify(JSON.parse(payload), null, 2);
      } catch (notJson) {
        // shown as stored
      }
      byId('detail-payload').textContent = payload;
      var body = byId('attempts').tBodies[0];
      clear(body);
      (delivery.attempts || []).forEach(function (attempt) {
        var row = document.createElement('tr');
        cell(row, 'Time', time(attempt.attempted_at));
        cell(row, 'Status code', attempt.status_code);
        cell(row, 'Latency', attempt.latency_ms + ' ms');
        cell(row, 'Error', attempt.error).className = 'id';
        var response = attempt.response_body;
        cell(row, 'Response (start)', response && response.length > 200 ? response.substring(0, 200) + '…' : response).className = 'id';
        body.appendChild(row);
      });
      if (!delivery.attempts || delivery.attempts.length === 0) {
        var none = document.createElement('tr');
        cell(none, 'Attempts', 'Not attempted yet.').colSpan = 5;
        body.appendChild(none);
      }
      var detail = byId('detail');
      detail.hidden = false;
      var title = byId('detail-title');
      title.setAttribute('tabindex', '-1');
      title.focus();
    }, failed);
  }

  function closeDetail() {
    byId('detail').hidden = true;
    byId('deliveries-title').setAttribute('tabindex', '-1');
    byId('deliveries-title').focus();
  }

  // --- wiring ---------------------------------------------------------------------------------------------

  function start() {
    byId('sign-in-form').addEventListener('submit', signIn);
    byId('sign-out').addEventListener('click', function () {
      signOut('Signed out.');
    });
    byId('filters').addEventListener('submit', function (event) {
      event.preventDefault();
      page.filters = readFilters();
      loadDeliveries(null);
    });
    byId('replay-selected').addEventListener('click', replaySelected);
    byId('replay-dead').addEventListener('click', replayDead);
    byId('next-page').addEventListener('click', function () {
      loadDeliveries(page.next);
    });
    byId('first-page').addEventListener('click', function () {
      loadDeliveries(null);
    });
    byId('close-detail').addEventListener('click', closeDetail);
    if (token()) {
      call('GET', '/admin/targets').then(showConsole, function (problem) {
        signOut(problem.status === 401 ? 'The admin token is no longer accepted: sign in again.' : problem.detail);
      });
    } else {
      byId('token').focus();
    }
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
}());
