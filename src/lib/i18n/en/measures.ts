// Measure labels: `measure.<key>` for every key of src/lib/measures.ts (a test checks they all exist).
export const measures = {
	'measure.response_time_avg': 'Avg response time',
	'measure.response_time_p90': 'Response time p90',
	'measure.response_time_max': 'Max response time',
	'measure.service_level': 'Service level',
	'measure.fcr': 'First-contact resolution',
	'measure.error_rate': 'Error rate',
	'measure.repeat_contact': 'Repeat contact',
	'measure.csat': 'CSAT',
	'measure.csat_mean': 'CSAT mean',
	'measure.mystery_score': 'Mystery-shop score',
	'measure.backlog': 'Backlog',
	'measure.complaints_open': 'Complaints open',
	'measure.complaints_overdue': 'Complaints overdue',
	'measure.escalation_rate': 'Escalation rate',
	'measure.closed_within_limit': 'Closed within limit',
	'measure.follow_up_completion': 'Follow-up completion'
};
