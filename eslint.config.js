import { configApp } from '@adonisjs/eslint-config'

/** Validators build numbers and single-line text with #core/validation (strict digits, no control characters). */
const inputDiscipline = {
  files: ['app/**/*.ts'],
  ignores: ['app/core/validation.ts'],
  rules: {
    'no-restricted-syntax': [
      'error',
      {
        selector: "CallExpression[callee.object.name='vine'][callee.property.name='number']",
        message: 'Use number() from #core/validation: it accepts plain decimal digits only.',
      },
      {
        selector:
          "CallExpression[callee.property.name='trim'][callee.object.callee.object.name='vine'][callee.object.callee.property.name='string']",
        message:
          'Use singleLine() or multiLine() from #core/validation: they refuse control characters.',
      },
    ],
  },
}

export default configApp(
  { ignores: ['build/**', 'tmp/**', 'storage/**', 'public/**'] },
  inputDiscipline
)
