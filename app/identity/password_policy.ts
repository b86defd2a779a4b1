/**
 * Password policy (等保 身份鉴别): at least 10 characters, at least three of the
 * four character classes, and not containing the username.
 * Returns the i18n key of the first rule broken, or null.
 */
export const PASSWORD_MIN_LENGTH = 10
export const PASSWORD_MAX_LENGTH = 128

export function passwordPolicyViolation(password: string, username?: string | null) {
  if (password.length < PASSWORD_MIN_LENGTH) return 'password.too_short'
  if (password.length > PASSWORD_MAX_LENGTH) return 'password.too_long'
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(password))
  if (classes.length < 3) return 'password.too_simple'
  if (username && username.length >= 3 && password.toLowerCase().includes(username.toLowerCase())) {
    return 'password.contains_username'
  }
  return null
}
