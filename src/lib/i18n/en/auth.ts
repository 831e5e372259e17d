// Sign-in, sign-out, screen pairing and access refusals.
export const auth = {
	'auth.login.title': 'Sign in',
	'auth.login.lead': 'Use the email address and password your administrator gave you.',
	'auth.login.email': 'Email',
	'auth.login.password': 'Password',
	'auth.login.submit': 'Sign in',
	'auth.login.submitting': 'Signing in…',
	'auth.login.missing': 'Enter your email address and password.',
	'auth.login.invalid': 'That email address and password do not match an account.',
	'auth.login.disabled': 'This account is disabled. Ask an administrator to enable it.',
	'auth.login.blocked':
		'Too many failed sign-in attempts. Sign-in is paused for this account or address: try again in {minutes} min.',
	'auth.login.pairLink': 'Setting up a wall screen? Pair it with a code',
	'auth.logout.title': 'Sign out',
	'auth.logout.lead': 'Signed in as {name} ({email}).',
	'auth.logout.here': 'Sign out of this browser',
	'auth.logout.everywhere': 'Sign out everywhere ({n} sessions)',
	'auth.pair.title': 'Pair this screen',
	'auth.pair.lead':
		'Enter the pairing code shown to the administrator who registered this screen. The screen then shows its boards and stays paired until it is revoked.',
	'auth.pair.code': 'Pairing code',
	'auth.pair.submit': 'Pair screen',
	'auth.pair.invalid': 'This code is unknown, already used or expired. Ask an administrator for a new one.',
	'auth.pair.blocked': 'Too many wrong codes from this address: try again in {minutes} min.',
	'auth.pair.unpaired': 'This screen is no longer paired: an administrator revoked or replaced it.',
	'auth.pair.signIn': 'Sign in with an account instead',
	'auth.error.signedOut': 'Sign in first: this needs an account.',
	'auth.error.forbidden': 'You do not have access to this page or data.',
	'auth.error.badScope': 'scope: expected org, site:<site>, team:<team> or agent:<agent>.',
	'auth.error.starting': 'Starting: try again in a few seconds.',
	'auth.error.crossOrigin':
		'Refused: a state-changing request must come from this site (Origin header missing or foreign).'
};
