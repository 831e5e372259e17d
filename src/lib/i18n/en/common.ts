export const common = {
	'app.name': 'Service quality monitor',
	'status.green': 'On target',
	'status.amber': 'At risk',
	'status.red': 'Breached',
	'status.none': 'No data',
	'scope.org': 'Whole organisation',
	'nav.scorecard': 'Monthly scorecard',
	'nav.admin': 'Administration',
	'nav.signOut': 'Sign out'
};
