// The warning before a signed-in session ends (WCAG 2.2 success criterion 2.2.1), and
// drafts of messages kept in this tab until they are sent.
//
// The page's <dialog id="timeout-warning"> (shared/templates/macros/timeout_warning.html)
// says how long the session has left and when to warn. The warning is a modal dialog:
// the rest of the page is inert, focus starts on "Stay signed in" and stays in the
// dialog, Escape means "stay signed in". The countdown is shown every second but
// announced only when the minute changes and in the last 30 seconds, not every second.
// "Stay signed in" sends a POST with the page's CSRF token, and the server moves the
// session's end (portal and back office `stay_signed_in`). When time is up the browser
// goes to the "you were signed out" page. Without JavaScript none of this runs: the
// dialog stays hidden and the server ends the session at its limit as before.
//
// A message being written in a form marked `data-keep-draft` is copied to
// sessionStorage as it is typed, under a key made of the form's address path only
// (no name, no words of the message), and put back when the form is shown empty. It is
// removed once the form is sent and the form's page comes back with no error, on
// sign-out and when "Exit this page" is used. sessionStorage belongs to this tab only and is
// gone when the tab is closed.

const DRAFT_PREFIX = 'trackmycrime-draft:'
const SENT_PREFIX = 'trackmycrime-draft-sent:'
// How often the clock is read; the deadline itself comes from Date.now().
const TICK_MS = 1000
// Under a minute, the countdown is announced once more at this many seconds.
const ANNOUNCE_AT_SECONDS = 30

function storage () {
  try {
    return window.sessionStorage
  } catch (error) {
    return null // storage turned off: drafts are simply not kept
  }
}

export function clearDrafts () {
  const store = storage()
  if (!store) return
  for (let i = store.length - 1; i >= 0; i--) {
    const key = store.key(i)
    if (key && (key.startsWith(DRAFT_PREFIX) || key.startsWith(SENT_PREFIX))) {
      store.removeItem(key)
    }
  }
}

function draftKey (form) {
  return new URL(form.action, window.location.href).pathname
}

export function keepDrafts () {
  const store = storage()
  if (!store) return
  const errorShown = document.querySelector('.govuk-error-summary') !== null
  const forms = [...document.querySelectorAll('form[data-keep-draft]')]
  const here = new Set(forms.map(draftKey))
  // A form was sent from the last page. The draft goes only if this page is that form's
  // page again with no error: the message was taken. Any other page (the sign-in page,
  // when the session had ended) keeps it.
  for (const key of Object.keys(store).filter((name) => name.startsWith(SENT_PREFIX))) {
    store.removeItem(key)
    const sent = key.slice(SENT_PREFIX.length)
    if (here.has(sent) && !errorShown) store.removeItem(DRAFT_PREFIX + sent)
  }
  for (const form of forms) {
    const field = form.querySelector('textarea')
    if (!field) continue
    const key = draftKey(form)
    const kept = store.getItem(DRAFT_PREFIX + key)
    if (kept && !field.value) {
      field.value = kept
      // The character count and anything else listening learn of the text put back.
      field.dispatchEvent(new Event('input', { bubbles: true }))
    }
    field.addEventListener('input', () => {
      if (field.value) {
        store.setItem(DRAFT_PREFIX + key, field.value)
      } else {
        store.removeItem(DRAFT_PREFIX + key)
      }
    })
    form.addEventListener('submit', () => store.setItem(SENT_PREFIX + key, '1'))
  }
  // Signing out, from the header or the warning, forgets every draft.
  document.addEventListener('submit', (event) => {
    if (event.target instanceof HTMLFormElement && event.target.id === 'sign-out') clearDrafts()
  })
  // "Exit this page" hides the page before leaving it: forget every draft then too.
  const exit = document.querySelector('.govuk-exit-this-page')
  if (exit) {
    exit.addEventListener('click', clearDrafts, true)
    new MutationObserver(() => {
      if (document.body.classList.contains('govuk-exit-this-page-hide-content')) clearDrafts()
    }).observe(document.body, { attributes: true, attributeFilter: ['class'] })
  }
}

function fill (template, values) {
  return template.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? values[name] : whole))
}

export function warnBeforeTimeout () {
  const dialog = document.getElementById('timeout-warning')
  if (!dialog || typeof dialog.showModal !== 'function') return
  const data = dialog.dataset
  const warnMs = Number(data.warnSeconds) * 1000
  let deadline = Date.now() + Number(data.secondsLeft) * 1000
  const shown = dialog.querySelector('[data-countdown]')
  const announced = dialog.querySelector('[data-countdown-announced]')
  const stay = dialog.querySelector('[data-stay-signed-in]')
  let lastAnnounced = null
  let leaving = false

  function timeText (seconds) {
    if (seconds >= 60) {
      const minutes = Math.ceil(seconds / 60)
      return minutes === 1 ? data.textMinute : fill(data.textMinutes, { count: minutes })
    }
    return seconds === 1 ? data.textSecond : fill(data.textSeconds, { count: seconds })
  }

  function update (seconds) {
    const text = fill(data.textCountdown, { time: timeText(seconds) })
    shown.textContent = text
    // Announced sparingly: when the minute changes, and at 30 seconds.
    let step = lastAnnounced ?? 'first'
    if (seconds >= 60) step = 'm' + Math.ceil(seconds / 60)
    else if (seconds <= ANNOUNCE_AT_SECONDS) step = 's' + ANNOUNCE_AT_SECONDS
    if (step !== lastAnnounced) {
      lastAnnounced = step
      announced.textContent = text
    }
  }

  function close () {
    if (dialog.open) dialog.close()
    lastAnnounced = null
    announced.textContent = ''
  }

  async function staySignedIn () {
    close()
    try {
      const response = await fetch(data.stayUrl, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'X-CSRFToken': data.csrfToken, Accept: 'application/json' }
      })
      if (!response.ok) throw new Error(String(response.status))
      const answer = await response.json()
      deadline = Date.now() + Number(answer.seconds_left) * 1000
    } catch (error) {
      // The session could not be extended (it has ended, or the network is down): the
      // page the browser is sent to at the deadline says so.
    }
  }

  function tick () {
    if (leaving) return
    const left = deadline - Date.now()
    if (left <= 0) {
      leaving = true
      window.location.assign(data.timedOutUrl)
      return
    }
    if (left <= warnMs) {
      if (!dialog.open) {
        dialog.showModal()
        stay.focus()
      }
      update(Math.ceil(left / 1000))
    } else if (dialog.open) {
      close()
    }
  }

  stay.addEventListener('click', staySignedIn)
  // Escape closes a modal dialog: here it means "stay signed in".
  dialog.addEventListener('cancel', (event) => {
    event.preventDefault()
    staySignedIn()
  })
  window.setInterval(tick, TICK_MS)
  tick()
}
