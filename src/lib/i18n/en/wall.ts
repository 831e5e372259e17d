// Wallboard mode: large type, no navigation.
export const wall = {
	'wall.title': 'Wallboard',
	'wall.clock': 'Time in {zone}',
	'wall.hold': 'Holding: red measure',
	'wall.next': 'Next board in {n}s',
	'wall.position': 'Board {i} of {n}',
	'wall.noBoards': 'No boards to show. Add ?boards=overview:org,team:<team> to the address.'
};
