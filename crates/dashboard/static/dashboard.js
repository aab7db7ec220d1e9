// Storeboard (门店看板) dashboard behaviour: charts, file upload with progress, store deletion
// and error notices. htmx does the fragment swapping; this file holds the rest. It is loaded
// as a file (never inline), so a strict Content-Security-Policy can forbid inline script.
(function () {
  'use strict';

  // ---- charts: every [data-chart] element holds an ECharts option built by the server ----
  var resizer = new ResizeObserver(function (entries) {
    entries.forEach(function (entry) {
      var chart = echarts.getInstanceByDom(entry.target);
      if (chart) chart.resize();
    });
  });

  function chartsIn(root) {
    var found = root.querySelectorAll ? Array.prototype.slice.call(root.querySelectorAll('[data-chart]')) : [];
    if (root.matches && root.matches('[data-chart]')) found.unshift(root);
    return found;
  }

  function initCharts(root) {
    chartsIn(root).forEach(function (el) {
      if (echarts.getInstanceByDom(el)) return;
      var option;
      try {
        option = JSON.parse(el.getAttribute('data-chart'));
      } catch (err) {
        console.error('图表配置无法解析', el.getAttribute('data-chart-name'), err);
        return;
      }
      var chart = echarts.init(el, null, { renderer: 'canvas' });
      var targets = linkTargets(option);
      chart.setOption(withFormatters(option));
      if (targets.some(Boolean)) {
        chart.on('click', function (p) {
          // Only a point or a bar: a threshold line (markLine) has indices too.
          if (p.componentType !== 'series') return;
          var url = targets[p.seriesIndex] && targets[p.seriesIndex](p.dataIndex);
          if (url) window.location.assign(url);
        });
      }
      el.setAttribute('data-rendered', String(countPoints(option)));
      resizer.observe(el);
    });
  }

  // JSON cannot carry functions: the server marks each series with `sbFormat` (money, pct,
  // int) and the tooltip formatter is attached here.
  var money = new Intl.NumberFormat('zh-CN', { style: 'currency', currency: 'CNY' });
  var integer = new Intl.NumberFormat('zh-CN', { maximumFractionDigits: 0 });
  var quantity = new Intl.NumberFormat('zh-CN', { maximumFractionDigits: 3 });
  var FORMATS = {
    money: function (v) { return v == null ? '—' : money.format(v); },
    pct: function (v) { return v == null ? '—' : Number(v).toFixed(1) + '%'; },
    int: function (v) { return v == null ? '—' : integer.format(v); },
    // A quantity as format.rs shows it: whole when whole, else up to three decimals (1.25 kg).
    qty: function (v) { return v == null ? '—' : quantity.format(v); }
  };

  function withFormatters(option) {
    (option.series || []).forEach(function (s) {
      var f = FORMATS[s.sbFormat];
      if (f) s.tooltip = Object.assign({}, s.tooltip, { valueFormatter: f });
      delete s.sbFormat;
    });
    return option;
  }

  // Where a click on a chart's point leads, built on the server (links.rs): a series lists its
  // points' URLs (`sbUrls`), or their product keys (`sbKeys`) when the option says how a key
  // becomes a URL (`sbLink`: prefix + key as one path segment + suffix), which keeps a chart of
  // a thousand products small. Returns, per series, index → URL or null; removes the marks.
  function linkTargets(option) {
    var link = option.sbLink;
    delete option.sbLink;
    return (option.series || []).map(function (s) {
      var urls = s.sbUrls;
      var keys = s.sbKeys;
      delete s.sbUrls;
      delete s.sbKeys;
      if (urls) return function (i) { return urls[i] || null; };
      if (keys && link) {
        return function (i) {
          return keys[i] == null ? null : link.prefix + segment(String(keys[i])) + link.suffix;
        };
      }
      return null;
    });
  }

  // A text as one path segment, exactly as links.rs encodes it: everything but RFC 3986's
  // unreserved characters percent-encoded (encodeURIComponent leaves !'()* as they are).
  function segment(text) {
    return encodeURIComponent(text).replace(/[!'()*]/g, function (c) {
      return '%' + c.charCodeAt(0).toString(16).toUpperCase();
    });
  }

  // Points drawn, so a test (or a curious user) can tell an empty chart from a full one.
  function countPoints(option) {
    return (option.series || []).reduce(function (n, s) {
      return n + ((s.data && s.data.length) || 0);
    }, 0);
  }

  function disposeCharts(root) {
    chartsIn(root).forEach(function (el) {
      resizer.unobserve(el);
      var chart = echarts.getInstanceByDom(el);
      if (chart) chart.dispose();
    });
  }

  // ---- notices ----
  function notice(text) {
    var box = document.getElementById('notice');
    if (!box) {
      box = document.createElement('div');
      box.id = 'notice';
      box.className = 'notice';
      box.setAttribute('role', 'alert');
      document.body.appendChild(box);
    }
    box.textContent = text;
    box.hidden = false;
    clearTimeout(notice.timer);
    notice.timer = setTimeout(function () { box.hidden = true; }, 6000);
  }

  function errorMessage(xhr) {
    try {
      var body = JSON.parse(xhr.responseText);
      if (body && body.error && body.error.message) return body.error.message;
    } catch (ignored) { /* not JSON: fall through */ }
    return '服务器返回 ' + xhr.status + (xhr.statusText ? ' ' + xhr.statusText : '');
  }

  // Reloads the data tab, keeping the page's filters (store, period, channel) in the URL.
  function refreshData(uploads) {
    var box = document.getElementById('upload');
    var url = (box && box.getAttribute('data-refresh-url')) || (document.body.getAttribute('data-base') + 'tabs/data');
    var params = new URLSearchParams();
    var current = new URLSearchParams(window.location.search);
    ['store', 'from', 'to', 'channel'].forEach(function (key) {
      if (current.get(key)) params.set(key, current.get(key));
    });
    if (uploads) params.set('uploads', uploads);
    var query = params.toString();
    htmx.ajax('GET', url + (query ? '?' + query : ''), { target: '#tab-content' });
  }

  // ---- upload ----
  function size(bytes) {
    if (bytes >= 1048576) return (bytes / 1048576).toFixed(1) + ' MB';
    return Math.max(1, Math.round(bytes / 1024)) + ' KB';
  }

  function setupUpload(root) {
    var box = root.querySelector ? root.querySelector('#upload') : null;
    if (!box || box.getAttribute('data-ready')) return;
    box.setAttribute('data-ready', '1');
    var input = box.querySelector('#file-input');
    var zone = box.querySelector('#dropzone');
    var list = box.querySelector('#selected-files');
    var button = box.querySelector('#upload-button');
    var files = [];

    function choose(chosen) {
      files = Array.prototype.slice.call(chosen || []);
      list.textContent = '';
      files.forEach(function (f) {
        var li = document.createElement('li');
        li.textContent = f.name + '(' + size(f.size) + ')';
        list.appendChild(li);
      });
      button.disabled = files.length === 0;
    }

    input.addEventListener('change', function () { choose(input.files); });
    zone.addEventListener('keydown', function (e) {
      if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); input.click(); }
    });
    ['dragenter', 'dragover'].forEach(function (type) {
      zone.addEventListener(type, function (e) { e.preventDefault(); zone.classList.add('over'); });
    });
    ['dragleave', 'drop'].forEach(function (type) {
      zone.addEventListener(type, function () { zone.classList.remove('over'); });
    });
    zone.addEventListener('drop', function (e) {
      e.preventDefault();
      choose(e.dataTransfer && e.dataTransfer.files);
    });
    button.addEventListener('click', function () { send(box, files); });
  }

  function send(box, files) {
    if (!files.length) return;
    var checked = box.querySelector('input[name="upload-mode"]:checked');
    var mode = checked ? checked.value : 'merge';
    if (mode === 'replace' && !window.confirm('“替换”会删除文件中这些门店的全部旧数据,只保留本文件的数据。确定继续吗?')) {
      return;
    }
    var button = box.querySelector('#upload-button');
    var progress = box.querySelector('#upload-progress');
    var fill = box.querySelector('#upload-fill');
    var state = box.querySelector('#upload-state');
    var error = box.querySelector('#upload-error');
    var form = new FormData();
    form.append('mode', mode);
    files.forEach(function (f) { form.append('file', f, f.name); });
    var xhr = new XMLHttpRequest();
    xhr.open('POST', box.getAttribute('data-upload-url'));
    xhr.setRequestHeader('Accept', 'application/json');
    button.disabled = true;
    error.hidden = true;
    progress.hidden = false;
    box.classList.remove('parsing');
    fill.style.width = '0%';
    state.textContent = '上传中 0%';
    xhr.upload.addEventListener('progress', function (e) {
      if (!e.lengthComputable) return;
      var pct = Math.floor((e.loaded / e.total) * 100);
      fill.style.width = pct + '%';
      state.textContent = '上传中 ' + pct + '%';
    });
    xhr.upload.addEventListener('load', function () {
      fill.style.width = '100%';
      box.classList.add('parsing');
      state.textContent = '正在解析和校验…(大文件可能需要几十秒)';
    });
    xhr.addEventListener('load', function () {
      box.classList.remove('parsing');
      if (xhr.status === 200) {
        var ids = [];
        try {
          ids = JSON.parse(xhr.responseText).uploads.map(function (u) { return u.id; });
        } catch (ignored) { /* the list below still refreshes */ }
        state.textContent = '完成';
        refreshData(ids.join(','));
      } else {
        progress.hidden = true;
        button.disabled = false;
        error.textContent = '上传失败:' + errorMessage(xhr) + '(已有数据没有任何改变)';
        error.hidden = false;
      }
    });
    xhr.addEventListener('error', function () {
      box.classList.remove('parsing');
      progress.hidden = true;
      button.disabled = false;
      error.textContent = '网络错误,上传没有完成(已有数据没有任何改变)。请检查连接后重试。';
      error.hidden = false;
    });
    xhr.send(form);
  }

  // ---- deletes through the JSON API: confirm, DELETE, then refresh ----
  function deleteThen(button, url, question, done) {
    if (!window.confirm(question)) return;
    button.disabled = true;
    var xhr = new XMLHttpRequest();
    xhr.open('DELETE', url);
    xhr.addEventListener('load', function () {
      if (xhr.status >= 200 && xhr.status < 300) {
        done();
      } else {
        button.disabled = false;
        notice('删除失败:' + errorMessage(xhr));
      }
    });
    xhr.addEventListener('error', function () {
      button.disabled = false;
      notice('网络错误,删除没有完成。');
    });
    xhr.send();
  }

  document.addEventListener('click', function (e) {
    var button = e.target.closest ? e.target.closest('[data-delete-store]') : null;
    if (!button) return;
    var name = button.getAttribute('data-delete-store');
    deleteThen(button, button.getAttribute('data-delete-url') + encodeURIComponent(name),
      '确定删除门店“' + name + '”的全部数据吗?此操作不能撤销。', function () { refreshData(''); });
  });

  // ---- 智能调价: save and delete plans through the JSON API ----
  document.addEventListener('submit', function (e) {
    var form = e.target.closest ? e.target.closest('[data-save-plan]') : null;
    if (!form) return;
    e.preventDefault();
    var button = form.querySelector('button');
    if (button) button.disabled = true;
    var body = new URLSearchParams(form.getAttribute('data-params') || '');
    body.set('name', form.querySelector('[name=name]').value);
    var xhr = new XMLHttpRequest();
    xhr.open('POST', form.getAttribute('data-url'));
    xhr.setRequestHeader('Content-Type', 'application/x-www-form-urlencoded');
    xhr.addEventListener('load', function () {
      if (button) button.disabled = false;
      if (xhr.status === 201) {
        var id = JSON.parse(xhr.responseText).id;
        htmx.ajax('GET', form.getAttribute('data-plan-href') + id, { target: '#tab-content' });
      } else {
        notice('保存失败:' + errorMessage(xhr));
      }
    });
    xhr.addEventListener('error', function () {
      if (button) button.disabled = false;
      notice('网络错误,方案没有保存。');
    });
    xhr.send(body.toString());
  });

  document.addEventListener('click', function (e) {
    var button = e.target.closest ? e.target.closest('[data-delete-plan]') : null;
    if (!button) return;
    var id = button.getAttribute('data-delete-plan');
    deleteThen(button, button.getAttribute('data-delete-url') + encodeURIComponent(id),
      '确定删除调价方案 #' + id + ' 吗?此操作不能撤销。', function () {
        htmx.ajax('GET', button.getAttribute('data-refresh-url'), { target: '#tab-content' });
      });
  });

  // ---- wiring ----
  htmx.onLoad(function (root) {
    initCharts(root);
    setupUpload(root);
  });
  document.addEventListener('htmx:beforeCleanupElement', function (e) { disposeCharts(e.detail.elt); });
  document.addEventListener('htmx:sendError', function () {
    notice('服务器无响应,请检查网络后重试。');
  });
  document.addEventListener('htmx:beforeRequest', function (e) {
    // A tab link shows as selected at once, before its content arrives.
    var tab = e.detail.elt && e.detail.elt.closest && e.detail.elt.closest('[data-tab]');
    if (!tab) return;
    document.querySelectorAll('[data-tab]').forEach(function (t) { t.classList.toggle('active', t === tab); });
  });
})();
