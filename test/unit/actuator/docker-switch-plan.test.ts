// The plan of one container's switch (controller/adapters/docker/switch-plan.ts): every shape, row by row,
// with the journal steps it records. test/integration/docker/switch-journal.test.ts runs the shapes on Docker.
import { describe, expect, it } from 'vitest';
import { JOURNAL_STEP, planSwitch, type SwitchShape } from '../../../controller/adapters/docker/switch-plan.js';

const rows: Array<{ shape: SwitchShape; untilVerified: string; cleanup: string; journal: string }> = [
  {
    shape: { strategy: 'recreate', crashLooping: false, fromStandby: false, extraNetworks: false },
    untilVerified: 'stop-old create-new start-new verify-new',
    cleanup: 'remove-old',
    journal: 'stopped-old created-new started-new verified-new removed-old',
  },
  {
    shape: { strategy: 'recreate', crashLooping: false, fromStandby: false, extraNetworks: true },
    untilVerified: 'stop-old create-new connect-networks start-new verify-new',
    cleanup: 'remove-old',
    journal: 'stopped-old created-new connected-networks started-new verified-new removed-old',
  },
  {
    shape: { strategy: 'start-first', crashLooping: false, fromStandby: false, extraNetworks: false },
    untilVerified: 'create-new start-new verify-new',
    cleanup: 'settle-then-stop-old remove-old',
    journal: 'created-new started-new verified-new stopped-old removed-old',
  },
  {
    shape: { strategy: 'start-first', crashLooping: false, fromStandby: false, extraNetworks: true },
    untilVerified: 'create-new connect-networks start-new verify-new',
    cleanup: 'settle-then-stop-old remove-old',
    journal: 'created-new connected-networks started-new verified-new stopped-old removed-old',
  },
  {
    // A standby is attached to every network by its own step, whatever the clone has beyond the first.
    shape: { strategy: 'start-first', crashLooping: false, fromStandby: true, extraNetworks: false },
    untilVerified: 'take-over-standby attach-standby verify-new',
    cleanup: 'settle-then-stop-old remove-old',
    journal: 'created-new connected-networks verified-new stopped-old removed-old',
  },
  {
    // Crash-looping: stopped first and planned as recreate whatever the strategy; nothing to settle.
    shape: { strategy: 'start-first', crashLooping: true, fromStandby: false, extraNetworks: true },
    untilVerified: 'stop-old create-new connect-networks start-new verify-new',
    cleanup: 'remove-old',
    journal: 'stopped-old created-new connected-networks started-new verified-new removed-old',
  },
  {
    shape: { strategy: 'recreate', crashLooping: true, fromStandby: false, extraNetworks: false },
    untilVerified: 'stop-old create-new start-new verify-new',
    cleanup: 'remove-old',
    journal: 'stopped-old created-new started-new verified-new removed-old',
  },
  {
    // The rename found it crash-looping after the standby was picked: stopped, then the standby takes over.
    shape: { strategy: 'start-first', crashLooping: true, fromStandby: true, extraNetworks: true },
    untilVerified: 'stop-old take-over-standby attach-standby verify-new',
    cleanup: 'remove-old',
    journal: 'stopped-old created-new connected-networks verified-new removed-old',
  },
];

describe('planSwitch', () => {
  for (const { shape, untilVerified, cleanup, journal } of rows) {
    it(`${shape.strategy}${shape.crashLooping ? ', crash-looping' : ''}${shape.fromStandby ? ', standby' : ''}${shape.extraNetworks ? ', extra networks' : ''}`, () => {
      const plan = planSwitch(shape);
      expect(plan.untilVerified.join(' ')).toBe(untilVerified);
      expect(plan.cleanup.join(' ')).toBe(cleanup);
      expect([...plan.untilVerified, ...plan.cleanup].map((step) => JOURNAL_STEP[step]).join(' ')).toBe(journal);
    });
  }

  it('the rename, outside the plan, records renamed-old', () => {
    expect(JOURNAL_STEP['rename-old']).toBe('renamed-old');
  });
});
