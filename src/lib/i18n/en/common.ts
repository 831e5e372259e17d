export const common = {
	'app.name': 'Service quality monitor',
	'status.green': 'On target',
	'status.amber': 'At risk',
	'status.red': 'Breached',
	'status.none': 'No data',
	'scope.org': 'Whole organisation'
};
