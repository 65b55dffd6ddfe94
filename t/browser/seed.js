'use strict';

// Seeds the demo data of the browser tests through the JSON API and prints
// what it made as JSON: components in two groups, an active incident with
// several updates, a resolved one.  Run by run.sh with INCIDENT_BASE_URL and
// INCIDENT_TOKEN set.

const { api } = require('./helpers');

const MINUTE = 60 * 1000;

async function component(body) {
    return (await api('POST', '/api/v1/components', body, 201)).json;
}

async function main() {
    const core = await component({
        name: 'Core Platform',
        description: 'Everything behind app.example.com',
    });
    const apiComp = await component({
        name: 'API', groupId: core.id,
        description: 'REST API and webhooks delivery',
    });
    const dashboard = await component({ name: 'Dashboard', groupId: core.id });
    const database = await component({ name: 'Database', groupId: core.id });
    const website = await component({ name: 'Website' });
    const integrations = await component({ name: 'Integrations' });
    const slack = await component({
        name: 'Slack app', groupId: integrations.id,
        baseStatus: 'under_maintenance',
    });
    const email = await component({
        name: 'Email notifications', groupId: integrations.id,
        baseStatus: 'degraded_performance',
    });

    // a past incident, begun 50 minutes ago and resolved now
    const past = (await api('POST', '/api/v1/incidents', {
        title: 'Dashboard login failures',
        status: 'investigating',
        impact: 'minor',
        componentIds: [dashboard.id],
        startedAt: new Date(Date.now() - 50 * MINUTE).toISOString()
            .replace(/\.\d+Z$/, 'Z'),
        message: 'Some users cannot sign in to the dashboard.',
    }, 201)).json;
    await api('POST', `/api/v1/incidents/${past.id}/updates`, {
        status: 'identified',
        message: 'An expired certificate on the session service.',
    }, 201);
    await api('POST', `/api/v1/incidents/${past.id}/updates`, {
        status: 'resolved',
        message: 'The certificate was renewed; sign-in works again.',
    }, 201);

    // the active one, with three updates
    const active = (await api('POST', '/api/v1/incidents', {
        title: 'Elevated API error rates',
        status: 'investigating',
        impact: 'major',
        componentIds: [apiComp.id, database.id],
        message: 'We are investigating elevated **5xx** rates on the API.',
    }, 201)).json;
    await api('POST', `/api/v1/incidents/${active.id}/updates`, {
        status: 'identified',
        message: 'A failing database replica is the cause. Queries are '
            + 'being moved to the healthy replicas:\n\n'
            + '- reads: moved\n- writes: in progress',
    }, 201);

    const state = (await api('GET', `/api/v1/incidents/${active.id}`,
        undefined, 200)).json;
    const resolved = (await api('GET', `/api/v1/incidents/${past.id}`,
        undefined, 200)).json;

    process.stdout.write(JSON.stringify({
        groups: [core.id, integrations.id],
        components: [core, apiComp, dashboard, database, website,
            integrations, slack, email].map((c) => c.id),
        active: state,
        resolved,
    }, null, 2) + '\n');
}

main().catch((e) => {
    console.error(e.stack || String(e));
    process.exit(1);
});
