import { defineConfig } from '@adonisjs/core/bodyparser'

const bodyParserConfig = defineConfig({
  allowedMethods: ['POST', 'PUT', 'PATCH', 'DELETE'],
  form: {
    convertEmptyStringsToNull: true,
    trimWhitespaces: true,
    types: ['application/x-www-form-urlencoded'],
  },
  json: {
    // The 态势感知 push API relies on it: a larger body is refused with 413.
    limit: '1mb',
    convertEmptyStringsToNull: true,
    trimWhitespaces: true,
    types: ['application/json', 'application/vnd.api+json'],
  },
  // Multipart is read only by the upload routes' `upload` middleware (after auth
  // and CSRF, into a per-request directory deleted when the request ends).
  multipart: {
    autoProcess: false,
    convertEmptyStringsToNull: true,
    trimWhitespaces: true,
    processManually: [],
    limit: '21mb',
    types: ['multipart/form-data'],
  },
})

export default bodyParserConfig
