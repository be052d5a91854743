// Starts the GOV.UK Frontend components (Exit this page, error summary, service navigation...),
// then the service's own: the warning before a session ends, and drafts kept until sent.
import { initAll } from './vendor/govuk-frontend.min.js'
import { keepDrafts, warnBeforeTimeout } from './session_timeout.js'

initAll()
keepDrafts()
warnBeforeTimeout()
