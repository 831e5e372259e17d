import { describe, expect, it } from 'vitest';
import {
	addDays,
	businessDay,
	businessMonth,
	dayRange,
	daysBetween,
	hourOfDay,
	monthRange,
	previousMonth
} from './time.ts';

const utc = (s: string) => Date.parse(s);

describe('business time', () => {
	it('cuts Asia/Kolkata days at 18:30 UTC (+5:30)', () => {
		expect(dayRange('2026-03-10', 'Asia/Kolkata')).toEqual({
			from: utc('2026-03-09T18:30:00Z'),
			to: utc('2026-03-10T18:30:00Z')
		});
		expect(businessDay(utc('2026-03-09T18:29:59.999Z'), 'Asia/Kolkata')).toBe('2026-03-09');
		expect(businessDay(utc('2026-03-09T18:30:00Z'), 'Asia/Kolkata')).toBe('2026-03-10');
		expect(hourOfDay(utc('2026-03-09T18:30:00Z'), 'Asia/Kolkata')).toBe(0);
		expect(hourOfDay(utc('2026-03-10T05:29:00Z'), 'Asia/Kolkata')).toBe(10);
	});

	it('makes New York days 23 and 25 hours long across DST', () => {
		const spring = dayRange('2026-03-08', 'America/New_York');
		expect(spring).toEqual({ from: utc('2026-03-08T05:00:00Z'), to: utc('2026-03-09T04:00:00Z') });
		expect(spring.to - spring.from).toBe(23 * 3_600_000);
		const autumn = dayRange('2026-11-01', 'America/New_York');
		expect(autumn).toEqual({ from: utc('2026-11-01T04:00:00Z'), to: utc('2026-11-02T05:00:00Z') });
		expect(autumn.to - autumn.from).toBe(25 * 3_600_000);
		// 02:30 does not exist on the spring day: 06:30 UTC is 01:30 EST, 07:30 UTC is 03:30 EDT.
		expect(hourOfDay(utc('2026-03-08T06:30:00Z'), 'America/New_York')).toBe(1);
		expect(hourOfDay(utc('2026-03-08T07:30:00Z'), 'America/New_York')).toBe(3);
	});

	it('cuts months in the zone, across DST and year ends', () => {
		expect(monthRange('2026-11', 'America/New_York')).toEqual({
			from: utc('2026-11-01T04:00:00Z'),
			to: utc('2026-12-01T05:00:00Z')
		});
		expect(monthRange('2026-12', 'Asia/Kolkata')).toEqual({
			from: utc('2026-11-30T18:30:00Z'),
			to: utc('2026-12-31T18:30:00Z')
		});
		expect(businessMonth(utc('2026-11-30T18:30:00Z'), 'Asia/Kolkata')).toBe('2026-12');
		expect(businessMonth(utc('2026-11-30T18:29:59.999Z'), 'Asia/Kolkata')).toBe('2026-11');
	});

	it('does calendar arithmetic on days and months', () => {
		expect(addDays('2026-02-28', 1)).toBe('2026-03-01');
		expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
		expect(addDays('2026-01-01', -1)).toBe('2025-12-31');
		expect(previousMonth('2026-01')).toBe('2025-12');
		expect(previousMonth('2026-10')).toBe('2026-09');
		expect(daysBetween('2026-12-30', '2027-01-02')).toEqual([
			'2026-12-30',
			'2026-12-31',
			'2027-01-01',
			'2027-01-02'
		]);
		expect(() => dayRange('2026-3-1', 'UTC')).toThrow(/not a day/);
	});

	it('starts a day at its first instant when midnight is skipped (America/Santiago spring)', () => {
		// Chile moves clocks from 00:00 to 01:00 on 2026-09-06.
		const { from } = dayRange('2026-09-06', 'America/Santiago');
		expect(businessDay(from, 'America/Santiago')).toBe('2026-09-06');
		expect(businessDay(from - 1, 'America/Santiago')).toBe('2026-09-05');
		expect(hourOfDay(from, 'America/Santiago')).toBe(1);
	});
});
