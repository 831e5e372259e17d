import { loadScorecard, versionParam } from '$lib/server/scorecard/view.ts';
import { scorecardPdf } from '$lib/server/scorecard/pdf.ts';

export async function GET({ params, url }) {
	const version = versionParam(url);
	const { data, snapshot } = await loadScorecard(params.month, version);
	const pdf = await scorecardPdf({ data, snapshot });
	const name = `scorecard-${params.month}${version ? `-v${version}` : '-live'}.pdf`;
	return new Response(new Uint8Array(pdf), {
		headers: { 'content-type': 'application/pdf', 'content-disposition': `attachment; filename="${name}"` }
	});
}
