// Starts the GOV.UK Frontend components (Exit this page, error summary, service navigation...).
import { initAll } from './vendor/govuk-frontend.min.js'

initAll()
