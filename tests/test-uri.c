/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-uri.c
 *
 * Addresses from RFC 3261 §19.1 and RFC 3966, from links found on web
 * pages, and from what people type into a dial pad.
 */

#include "config.h"

#include <string.h>

#include "dt-uri.h"

typedef struct {
  const char *text;
  DtUriKind   kind;
  const char *user;
  const char *password;
  const char *host;
  gboolean    ipv6;
  guint16     port;
  const char *params;     /* decoded, “name=value” joined by “;” */
  const char *headers;    /* decoded, “name=value” joined by “&” */
  const char *number;
  const char *canonical;
} SipCase;

static const SipCase sip_cases[] = {
  /* RFC 3261 §19.1.3 */
  { "sip:alice@atlanta.com", DT_URI_KIND_SIP, "alice", NULL, "atlanta.com", FALSE, 0,
    "", "", NULL, "sip:alice@atlanta.com" },
  { "sip:alice:secretword@atlanta.com;transport=tcp", DT_URI_KIND_SIP,
    "alice", "secretword", "atlanta.com", FALSE, 0, "transport=tcp", "", NULL,
    "sip:alice:secretword@atlanta.com;transport=tcp" },
  { "sips:alice@atlanta.com?subject=project%20x&priority=urgent", DT_URI_KIND_SIPS,
    "alice", NULL, "atlanta.com", FALSE, 0, "", "subject=project x&priority=urgent", NULL,
    "sips:alice@atlanta.com?subject=project%20x&priority=urgent" },
  { "sip:+1-212-555-1212:1234@gateway.com;user=phone", DT_URI_KIND_SIP,
    "+1-212-555-1212", "1234", "gateway.com", FALSE, 0, "user=phone", "", "+12125551212",
    "sip:+1-212-555-1212:1234@gateway.com;user=phone" },
  { "sips:1212@gateway.com", DT_URI_KIND_SIPS, "1212", NULL, "gateway.com", FALSE, 0,
    "", "", NULL, "sips:1212@gateway.com" },
  { "sip:alice@192.0.2.4", DT_URI_KIND_SIP, "alice", NULL, "192.0.2.4", FALSE, 0,
    "", "", NULL, "sip:alice@192.0.2.4" },
  { "sip:atlanta.com;method=REGISTER?to=alice%40atlanta.com", DT_URI_KIND_SIP,
    NULL, NULL, "atlanta.com", FALSE, 0, "method=REGISTER", "to=alice@atlanta.com", NULL,
    "sip:atlanta.com;method=REGISTER?to=alice%40atlanta.com" },
  { "sip:alice;day=tuesday@atlanta.com", DT_URI_KIND_SIP,
    "alice;day=tuesday", NULL, "atlanta.com", FALSE, 0, "", "", NULL,
    "sip:alice;day=tuesday@atlanta.com" },
  /* RFC 3261 §19.1.4 examples */
  { "sip:%61lice@atlanta.com;transport=TCP", DT_URI_KIND_SIP, "alice", NULL, "atlanta.com",
    FALSE, 0, "transport=tcp", "", NULL, "sip:alice@atlanta.com;transport=tcp" },
  { "sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com", DT_URI_KIND_SIP,
    NULL, NULL, "biloxi.com", FALSE, 0, "transport=tcp;method=REGISTER", "to=sip:bob@biloxi.com",
    NULL, "sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com" },
  /* case: scheme, host, parameter names, transport values */
  { "SIP:Alice@EXAMPLE.com:5060;Transport=TCP", DT_URI_KIND_SIP, "Alice", NULL, "example.com",
    FALSE, 5060, "transport=tcp", "", NULL, "sip:Alice@example.com:5060;transport=tcp" },
  { "Sips:BOB@Biloxi.Example.COM;User=IP;X-Custom=MixedCase", DT_URI_KIND_SIPS,
    "BOB", NULL, "biloxi.example.com", FALSE, 0, "user=ip;x-custom=MixedCase", "", NULL,
    "sips:BOB@biloxi.example.com;user=ip;x-custom=MixedCase" },
  /* IPv6, written in RFC 5952 form */
  { "sip:[2001:db8::10]:5070", DT_URI_KIND_SIP, NULL, NULL, "2001:db8::10", TRUE, 5070,
    "", "", NULL, "sip:[2001:db8::10]:5070" },
  { "sip:alice@[2001:DB8:0:0:0:0:0:10]", DT_URI_KIND_SIP, "alice", NULL, "2001:db8::10", TRUE,
    0, "", "", NULL, "sip:alice@[2001:db8::10]" },
  { "sip:[::1]", DT_URI_KIND_SIP, NULL, NULL, "::1", TRUE, 0, "", "", NULL, "sip:[::1]" },
  { "sip:[::]:5060", DT_URI_KIND_SIP, NULL, NULL, "::", TRUE, 5060, "", "", NULL,
    "sip:[::]:5060" },
  { "sip:[2001:db8:0:1:1:1:1:1]", DT_URI_KIND_SIP, NULL, NULL, "2001:db8:0:1:1:1:1:1", TRUE,
    0, "", "", NULL, "sip:[2001:db8:0:1:1:1:1:1]" },
  { "sip:[2001:0:0:1:0:0:0:1]", DT_URI_KIND_SIP, NULL, NULL, "2001:0:0:1::1", TRUE, 0,
    "", "", NULL, "sip:[2001:0:0:1::1]" },
  { "sip:[2001:db8:0:0:1:0:0:1]", DT_URI_KIND_SIP, NULL, NULL, "2001:db8::1:0:0:1", TRUE, 0,
    "", "", NULL, "sip:[2001:db8::1:0:0:1]" },
  { "sip:bob@[::ffff:192.0.2.1]", DT_URI_KIND_SIP, "bob", NULL, "::ffff:192.0.2.1", TRUE, 0,
    "", "", NULL, "sip:bob@[::ffff:192.0.2.1]" },
  { "sip:bob@[::ffff:c000:201]:5061;transport=tls", DT_URI_KIND_SIP, "bob", NULL,
    "::ffff:192.0.2.1", TRUE, 5061, "transport=tls", "", NULL,
    "sip:bob@[::ffff:192.0.2.1]:5061;transport=tls" },
  { "sip:[FE80::1:2:3:4:5:6]", DT_URI_KIND_SIP, NULL, NULL, "fe80:0:1:2:3:4:5:6", TRUE, 0,
    "", "", NULL, "sip:[fe80:0:1:2:3:4:5:6]" },
  { "sip:[fe80::1:2:3:4:5]", DT_URI_KIND_SIP, NULL, NULL, "fe80::1:2:3:4:5", TRUE, 0,
    "", "", NULL, "sip:[fe80::1:2:3:4:5]" },
  /* ports, IPv4 and host names */
  { "sip:alice@EXAMPLE.COM:05060", DT_URI_KIND_SIP, "alice", NULL, "example.com", FALSE, 5060,
    "", "", NULL, "sip:alice@example.com:5060" },
  { "sip:alice@example.com:65535", DT_URI_KIND_SIP, "alice", NULL, "example.com", FALSE,
    65535, "", "", NULL, "sip:alice@example.com:65535" },
  { "sip:192.000.002.004:1", DT_URI_KIND_SIP, NULL, NULL, "192.0.2.4", FALSE, 1, "", "", NULL,
    "sip:192.0.2.4:1" },
  { "sip:alice@example.com.", DT_URI_KIND_SIP, "alice", NULL, "example.com.", FALSE, 0,
    "", "", NULL, "sip:alice@example.com." },
  { "sip:alice@localhost", DT_URI_KIND_SIP, "alice", NULL, "localhost", FALSE, 0, "", "", NULL,
    "sip:alice@localhost" },
  { "sip:1234@8x8.example", DT_URI_KIND_SIP, "1234", NULL, "8x8.example", FALSE, 0, "", "",
    NULL, "sip:1234@8x8.example" },
  /* userinfo */
  { "sip:alice:@example.com", DT_URI_KIND_SIP, "alice", "", "example.com", FALSE, 0, "", "",
    NULL, "sip:alice:@example.com" },
  { "sip:alice%2Bbob@example.com", DT_URI_KIND_SIP, "alice+bob", NULL, "example.com", FALSE, 0,
    "", "", NULL, "sip:alice%2Bbob@example.com" },
  { "sip:alice+bob@example.com", DT_URI_KIND_SIP, "alice+bob", NULL, "example.com", FALSE, 0,
    "", "", NULL, "sip:alice+bob@example.com" },
  { "sip:j%c3%a9r%c3%b4me@example.com", DT_URI_KIND_SIP, "jérôme", NULL, "example.com", FALSE,
    0, "", "", NULL, "sip:j%C3%A9r%C3%B4me@example.com" },
  { "sip:%7Ealice%2dsmith@example.com", DT_URI_KIND_SIP, "~alice-smith", NULL, "example.com",
    FALSE, 0, "", "", NULL, "sip:~alice-smith@example.com" },
  { "sip:a%20b@example.com", DT_URI_KIND_SIP, "a b", NULL, "example.com", FALSE, 0, "", "",
    NULL, "sip:a%20b@example.com" },
  { "sip:&=+$,;?/@example.com", DT_URI_KIND_SIP, "&=+$,;?/", NULL, "example.com", FALSE, 0,
    "", "", NULL, "sip:&=+$,;?/@example.com" },
  /* parameters */
  { "sip:bob@biloxi.com;lr", DT_URI_KIND_SIP, "bob", NULL, "biloxi.com", FALSE, 0, "lr", "",
    NULL, "sip:bob@biloxi.com;lr" },
  { "sip:proxy.example.com;LR;transport=UDP", DT_URI_KIND_SIP, NULL, NULL, "proxy.example.com",
    FALSE, 0, "lr;transport=udp", "", NULL, "sip:proxy.example.com;lr;transport=udp" },
  { "sip:alice@example.com;maddr=239.255.255.1;ttl=15", DT_URI_KIND_SIP, "alice", NULL,
    "example.com", FALSE, 0, "maddr=239.255.255.1;ttl=15", "", NULL,
    "sip:alice@example.com;maddr=239.255.255.1;ttl=15" },
  { "sip:alice@example.com;maddr=[2001:DB8::1]", DT_URI_KIND_SIP, "alice", NULL,
    "example.com", FALSE, 0, "maddr=[2001:db8::1]", "", NULL,
    "sip:alice@example.com;maddr=[2001:db8::1]" },
  { "sip:alice@example.com;x-param=%5Bv%5D;y=%41", DT_URI_KIND_SIP, "alice", NULL,
    "example.com", FALSE, 0, "x-param=[v];y=A", "", NULL,
    "sip:alice@example.com;x-param=%5Bv%5D;y=A" },
  /* headers */
  { "sip:alice@example.com?Subject=Hi&Route=%3Csip:proxy.example%3E", DT_URI_KIND_SIP,
    "alice", NULL, "example.com", FALSE, 0, "", "Subject=Hi&Route=<sip:proxy.example>", NULL,
    "sip:alice@example.com?Subject=Hi&Route=%3Csip:proxy.example%3E" },
  { "sip:alice@example.com?subject=&priority=emergency", DT_URI_KIND_SIP, "alice", NULL,
    "example.com", FALSE, 0, "", "subject=&priority=emergency", NULL,
    "sip:alice@example.com?subject=&priority=emergency" },
  { "sip:alice@example.com?x=a?b:c", DT_URI_KIND_SIP, "alice", NULL, "example.com", FALSE, 0,
    "", "x=a?b:c", NULL, "sip:alice@example.com?x=a?b:c" },
  /* telephone-subscriber user parts */
  { "sip:8005551234;phone-context=+1@gw.example.com;user=phone", DT_URI_KIND_SIP,
    "8005551234;phone-context=+1", NULL, "gw.example.com", FALSE, 0, "user=phone", "",
    "8005551234", "sip:8005551234;phone-context=+1@gw.example.com;user=phone" },
  { "sip:+1-212-555-1212;ext=42@gw.example.com;USER=PHONE", DT_URI_KIND_SIP,
    "+1-212-555-1212;ext=42", NULL, "gw.example.com", FALSE, 0, "user=phone", "",
    "+12125551212", "sip:+1-212-555-1212;ext=42@gw.example.com;user=phone" },
  { "sip:5551234@pbx.example.com;user=phone", DT_URI_KIND_SIP, "5551234", NULL,
    "pbx.example.com", FALSE, 0, "user=phone", "", "5551234",
    "sip:5551234@pbx.example.com;user=phone" },
  { "sip:alice@atlanta.com;user=phone", DT_URI_KIND_SIP, "alice", NULL, "atlanta.com", FALSE, 0,
    "user=phone", "", NULL, "sip:alice@atlanta.com;user=phone" },
  /* whitespace around a pasted link */
  { "  \tsip:alice@example.com \r\n", DT_URI_KIND_SIP, "alice", NULL, "example.com", FALSE, 0,
    "", "", NULL, "sip:alice@example.com" },
};

typedef struct {
  const char      *text;
  DtUriParseFlags  flags;
  const char      *number;
  gboolean         global;
  const char      *phone_context;
  const char      *extension;
  const char      *params;
  gboolean         account_relative;
  const char      *canonical;
} TelCase;

static const TelCase tel_cases[] = {
  /* RFC 3966 */
  { "tel:+1-201-555-0123", DT_URI_PARSE_DEFAULT, "+12015550123", TRUE, NULL, NULL, "", FALSE,
    "tel:+12015550123" },
  { "tel:7042;phone-context=example.com", DT_URI_PARSE_DEFAULT, "7042", FALSE, "example.com",
    NULL, "phone-context=example.com", FALSE, "tel:7042;phone-context=example.com" },
  { "tel:863-1234;phone-context=+1-914-555", DT_URI_PARSE_DEFAULT, "8631234", FALSE,
    "+1914555", NULL, "phone-context=+1914555", FALSE,
    "tel:8631234;phone-context=+1914555" },
  /* extensions and subaddresses */
  { "tel:+1-201-555-0123;ext=1234", DT_URI_PARSE_DEFAULT, "+12015550123", TRUE, NULL, "1234",
    "ext=1234", FALSE, "tel:+12015550123;ext=1234" },
  { "tel:+1-201-555-0123;EXT=12-34", DT_URI_PARSE_DEFAULT, "+12015550123", TRUE, NULL, "1234",
    "ext=1234", FALSE, "tel:+12015550123;ext=1234" },
  { "tel:+15550123;isub=1411;foo=Bar;ext=1", DT_URI_PARSE_DEFAULT, "+15550123", TRUE, NULL,
    "1", "ext=1;isub=1411;foo=Bar", FALSE, "tel:+15550123;ext=1;isub=1411;foo=Bar" },
  { "tel:5551234;zeta;alpha=x;phone-context=+1", DT_URI_PARSE_DEFAULT, "5551234", FALSE, "+1",
    NULL, "phone-context=+1;alpha=x;zeta", FALSE, "tel:5551234;phone-context=+1;alpha=x;zeta" },
  /* visual separators */
  { "TEL:+1.201.555.0123", DT_URI_PARSE_DEFAULT, "+12015550123", TRUE, NULL, NULL, "", FALSE,
    "tel:+12015550123" },
  { "tel:+1(201)555-0123", DT_URI_PARSE_DEFAULT, "+12015550123", TRUE, NULL, NULL, "", FALSE,
    "tel:+12015550123" },
  /* as browsers hand over links written with spaces or “//” */
  { "tel:+1%20201%20555%200123", DT_URI_PARSE_DEFAULT, "+12015550123", TRUE, NULL, NULL, "",
    FALSE, "tel:+12015550123" },
  { "tel://+44-20-7946-0000", DT_URI_PARSE_DEFAULT, "+442079460000", TRUE, NULL, NULL, "",
    FALSE, "tel:+442079460000" },
  { "tel:%2B4930123456", DT_URI_PARSE_DEFAULT, "+4930123456", TRUE, NULL, NULL, "", FALSE,
    "tel:+4930123456" },
  /* service codes and hex digits */
  { "tel:*98;phone-context=example.com", DT_URI_PARSE_DEFAULT, "*98", FALSE, "example.com",
    NULL, "phone-context=example.com", FALSE, "tel:*98;phone-context=example.com" },
  { "tel:%2321%23;phone-context=example.com", DT_URI_PARSE_DEFAULT, "#21#", FALSE,
    "example.com", NULL, "phone-context=example.com", FALSE,
    "tel:%2321%23;phone-context=example.com" },
  { "tel:#21#;phone-context=example.com", DT_URI_PARSE_DEFAULT, "#21#", FALSE, "example.com",
    NULL, "phone-context=example.com", FALSE, "tel:%2321%23;phone-context=example.com" },
  { "tel:12ab;phone-context=Example.COM", DT_URI_PARSE_DEFAULT, "12AB", FALSE, "example.com",
    NULL, "phone-context=example.com", FALSE, "tel:12AB;phone-context=example.com" },
  /* 20 digits is the limit */
  { "tel:+12345678901234567890", DT_URI_PARSE_DEFAULT, "+12345678901234567890", TRUE, NULL,
    NULL, "", FALSE, "tel:+12345678901234567890" },
  /* Dialtone's own account-relative form */
  { "tel:5551234", DT_URI_PARSE_ACCOUNT_RELATIVE, "5551234", FALSE, NULL, NULL, "", TRUE,
    "tel:5551234" },
  { "tel:555-1234;ext=89", DT_URI_PARSE_ACCOUNT_RELATIVE, "5551234", FALSE, NULL, "89",
    "ext=89", TRUE, "tel:5551234;ext=89" },
  { "tel:+15551234", DT_URI_PARSE_ACCOUNT_RELATIVE, "+15551234", TRUE, NULL, NULL, "", FALSE,
    "tel:+15551234" },
};

typedef struct {
  const char *text;
  DtUriKind   kind;
  const char *user;
  const char *host;
  const char *number;
  gboolean    account_relative;
  const char *canonical;
} CalltoCase;

static const CalltoCase callto_cases[] = {
  { "callto:+15551234", DT_URI_KIND_TEL, NULL, NULL, "+15551234", FALSE, "tel:+15551234" },
  { "callto://+15551234", DT_URI_KIND_TEL, NULL, NULL, "+15551234", FALSE, "tel:+15551234" },
  { "callto:+1%20555%20123%204567", DT_URI_KIND_TEL, NULL, NULL, "+15551234567", FALSE,
    "tel:+15551234567" },
  { "callto:%2B15551234", DT_URI_KIND_TEL, NULL, NULL, "+15551234", FALSE, "tel:+15551234" },
  { "callto:+1-555-123-4567/", DT_URI_KIND_TEL, NULL, NULL, "+15551234567", FALSE,
    "tel:+15551234567" },
  { "callto:+15551234+type=phone", DT_URI_KIND_TEL, NULL, NULL, "+15551234", FALSE,
    "tel:+15551234" },
  { "callto:5551234", DT_URI_KIND_TEL, NULL, NULL, "5551234", TRUE, "tel:5551234" },
  { "callto://555-1234/", DT_URI_KIND_TEL, NULL, NULL, "5551234", TRUE, "tel:5551234" },
  /* no “00” → “+” for links: the account's dial plan reads the number */
  { "callto:0049301234567", DT_URI_KIND_TEL, NULL, NULL, "0049301234567", TRUE,
    "tel:0049301234567" },
  { "callto:alice@example.com", DT_URI_KIND_SIP, "alice", "example.com", NULL, FALSE,
    "sip:alice@example.com" },
  { "callto://alice@example.com", DT_URI_KIND_SIP, "alice", "example.com", NULL, FALSE,
    "sip:alice@example.com" },
  { "callto://alice@Example.com/", DT_URI_KIND_SIP, "alice", "example.com", NULL, FALSE,
    "sip:alice@example.com" },
  { "callto:alice@example.com?subject=spam", DT_URI_KIND_SIP, "alice", "example.com", NULL,
    FALSE, "sip:alice@example.com" },
  { "callto:sip:alice@example.com", DT_URI_KIND_SIP, "alice", "example.com", NULL, FALSE,
    "sip:alice@example.com" },
  { "callto:sips:alice@example.com", DT_URI_KIND_SIPS, "alice", "example.com", NULL, FALSE,
    "sips:alice@example.com" },
  { "callto:tel:+15551234", DT_URI_KIND_TEL, NULL, NULL, "+15551234", FALSE,
    "tel:+15551234" },
  { "callto:alice", DT_URI_KIND_SIP, "alice", NULL, NULL, TRUE, "callto:alice" },
  { "callto://alice", DT_URI_KIND_SIP, "alice", NULL, NULL, TRUE, "callto:alice" },
  { "callto://alice/", DT_URI_KIND_SIP, "alice", NULL, NULL, TRUE, "callto:alice" },
  { "callto:alice?call", DT_URI_KIND_SIP, "alice", NULL, NULL, TRUE, "callto:alice" },
  { "callto://echo123?call", DT_URI_KIND_SIP, "echo123", NULL, NULL, TRUE, "callto:echo123" },
  { "callto:alice+type=skype", DT_URI_KIND_SIP, "alice", NULL, NULL, TRUE, "callto:alice" },
  { "callto:alice+TYPE=directory/?x", DT_URI_KIND_SIP, "alice", NULL, NULL, TRUE,
    "callto:alice" },
  { "CALLTO:Alice.Smith", DT_URI_KIND_SIP, "Alice.Smith", NULL, NULL, TRUE,
    "callto:Alice.Smith" },
  { "callto:%61lice", DT_URI_KIND_SIP, "alice", NULL, NULL, TRUE, "callto:alice" },
  { "callto:1alice", DT_URI_KIND_SIP, "1alice", NULL, NULL, TRUE, "callto:1alice" },
};

typedef struct {
  const char      *text;
  DtUriParseFlags  flags;
  DtUriError       code;
} ErrorCase;

static const ErrorCase error_cases[] = {
  { "", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_EMPTY },
  { "   ", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_EMPTY },
  { "\t\r\n", DT_URI_PARSE_ACCOUNT_RELATIVE, DT_URI_ERROR_EMPTY },
  /* schemes */
  { "http://example.com/", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_UNSUPPORTED_SCHEME },
  { "mailto:alice@example.com", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_UNSUPPORTED_SCHEME },
  { "xmpp:alice@example.com", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_UNSUPPORTED_SCHEME },
  { "skype:echo123?call", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_UNSUPPORTED_SCHEME },
  { "sipx:alice@example.com", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_UNSUPPORTED_SCHEME },
  { "javascript:alert(1)", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_UNSUPPORTED_SCHEME },
  { "alice@example.com", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "+15551234", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { ":alice", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  /* missing host */
  { "sip:", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sips:", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:alice@", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:alice@:5060", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:alice@;transport=tcp", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:@example.com", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip::secret@example.com", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:?subject=x", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  /* ports */
  { "sip:alice@example.com:99999", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:alice@example.com:65536", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:alice@example.com:0", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:alice@example.com:", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:alice@example.com:50a", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:alice@example.com:-1", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:alice@example.com:99999999999999999999999", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:alice:secret", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  /* IPv6 */
  { "sip:alice@[2001:db8::1", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:alice@2001:db8::1]", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:alice@example.com]", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:alice@[]", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:alice@[2001:db8::g]", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:alice@[1::2::3]", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:alice@[1:2:3:4:5:6:7:8:9]", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:alice@[1:2:3:4:5:6:7]", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:alice@[1:2:3:4:5:6:7::8]", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:alice@[12345::1]", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:alice@[:::1]", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:alice@[1:]", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:alice@[::1.2.3.4.5]", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:alice@[::256.1.1.1]", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:alice@[1.2.3.4::1]", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:alice@[fe80::1%25eth0]", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:alice@[::1]x", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:alice@[[::1]]", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:2001:db8::1", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  /* host names and IPv4 */
  { "sip:alice@exa_mple.com", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:alice@-example.com", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:alice@example-.com", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:alice@example..com", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:alice@.example.com", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:alice@example.123", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:alice@1.2.3", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:alice@256.1.1.1", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:alice@1.2.3.4.", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:alice@1234.1.1.1", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:alice@example.com#fragment", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:alice@b@example.com", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:alice@example%2ecom", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:alice@aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com",
    DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  /* characters that are never allowed */
  { "sip:alice smith@example.com", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:alice@example.com; lr", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:alice@exam\001ple.com", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:alice@example.com\177", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "\001sip:alice@example.com", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:alice@example.com\r\nVia: x", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:j\303\251r\303\264me@example.com", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:alice@\377", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:al<ice@example.com", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:alice:se:cret@example.com", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:alice:pa;ss@example.com", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:\"alice\"@example.com", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  /* percent-escapes */
  { "sip:alice%@example.com", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:alice%4@example.com", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:alice%zz@example.com", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:alice@example.com;x=%4", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:alice@example.com?x=%", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:alice%00@example.com", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:alice@example.com;x=a%00b", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:alice%0d%0a@example.com", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:alice@example.com?subject=a%0D%0AVia:%20x", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:alice@example.com?subject=%7F", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:%ff%fe@example.com", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:alice:%c3@example.com", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  /* parameters and headers */
  { "sip:alice@example.com;", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:alice@example.com;;lr", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:alice@example.com;=x", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:alice@example.com;transport=", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:alice@example.com;lr;LR", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:alice@example.com;transport=tcp;transport=udp", DT_URI_PARSE_DEFAULT,
    DT_URI_ERROR_INVALID },
  { "sip:alice@example.com;a=b=c", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:alice@example.com?", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:alice@example.com?subject", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:alice@example.com?a=b&", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:alice@example.com?a=b&&c=d", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:alice@example.com?=b", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:alice@example.com?to=alice@example.com", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "sip:alice@example.com?a=<b>", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  /* tel: */
  { "tel:", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "tel:;phone-context=example.com", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "tel:7042", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "tel:555-1234;ext=1", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "tel:+", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "tel:+-()", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "tel:---;phone-context=example.com", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "tel:+1-555-ABC", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "tel:+1*2", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "tel:+1%23", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "tel:1+2;phone-context=example.com", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "tel:++1555", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "tel:555g;phone-context=example.com", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "tel:555 1234", DT_URI_PARSE_ACCOUNT_RELATIVE, DT_URI_ERROR_INVALID },
  { "tel:+1555%", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "tel:+1555%00", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "tel:+1555?subject=x", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "tel:+1555@example.com", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "tel:+1555;phone-context=example.com", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "tel:5551234;phone-context=exa_mple", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "tel:5551234;phone-context=", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "tel:5551234;phone-context", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "tel:5551234;phone-context=+", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "tel:5551234;phone-context=+1-AB", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "tel:+1555;ext=", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "tel:+1555;ext", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "tel:+1555;ext=12a", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "tel:+1555;ext=+12", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "tel:+1555;ext=-", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "tel:+1555;ext=1;EXT=2", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "tel:+1555;isub", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "tel:+1555;", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "tel:+1555;;a", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "tel:+1555;=a", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "tel:+1555;a_b=c", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "tel:+1555;a=", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "tel:+1555;a=<b>", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "tel:+123456789012345678901", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_TOO_LONG },
  { "tel:1234567890-1234567890-1;phone-context=example.com", DT_URI_PARSE_DEFAULT,
    DT_URI_ERROR_TOO_LONG },
  { "tel:+1555;ext=123456789012345678901", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_TOO_LONG },
  { "tel:5551234;phone-context=+123456789012345678901", DT_URI_PARSE_DEFAULT,
    DT_URI_ERROR_TOO_LONG },
  /* callto: */
  { "callto:", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "callto://", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "callto:///", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "callto:?call", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "callto://ils.example.com/alice", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "callto:alice:5060", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "callto:al<ice", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "callto:alice%00", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "callto:+1*2", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "callto:1+2", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "callto:+", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "callto:-", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "callto://(  )/", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "callto:alice@", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "callto:tel:5551234", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
  { "callto:+123456789012345678901", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_TOO_LONG },
  { "callto:callto:alice", DT_URI_PARSE_DEFAULT, DT_URI_ERROR_INVALID },
};

typedef struct {
  const char *a;
  const char *b;
  gboolean    equal;
} EqualCase;

static const EqualCase equal_cases[] = {
  /* RFC 3261 §19.1.4, equivalent */
  { "sip:%61lice@atlanta.com;transport=TCP", "sip:alice@AtLanTa.CoM;Transport=tcp", TRUE },
  { "sip:carol@chicago.com", "sip:carol@chicago.com;newparam=5", TRUE },
  { "sip:carol@chicago.com", "sip:carol@chicago.com;security=on", TRUE },
  { "sip:carol@chicago.com;newparam=5", "sip:carol@chicago.com;security=on", TRUE },
  { "sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com",
    "sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com", TRUE },
  { "sip:alice@atlanta.com?subject=project%20x&priority=urgent",
    "sip:alice@atlanta.com?priority=urgent&subject=project%20x", TRUE },
  /* RFC 3261 §19.1.4, not equivalent */
  { "SIP:ALICE@AtLanTa.CoM;Transport=udp", "sip:alice@AtLanTa.CoM;Transport=UDP", FALSE },
  { "sip:bob@biloxi.com", "sip:bob@biloxi.com:5060", FALSE },
  { "sip:bob@biloxi.com", "sip:bob@biloxi.com;transport=udp", FALSE },
  { "sip:bob@biloxi.com", "sip:bob@biloxi.com:6000;transport=tcp", FALSE },
  { "sip:carol@chicago.com", "sip:carol@chicago.com?Subject=next%20meeting", FALSE },
  { "sip:bob@phone21.boxesbybob.com", "sip:bob@192.0.2.4", FALSE },
  { "sip:carol@chicago.com;security=on", "sip:carol@chicago.com;security=off", FALSE },
  /* more of §19.1.4 */
  { "sip:alice@atlanta.com", "sips:alice@atlanta.com", FALSE },
  { "sip:alice@atlanta.com", "sip:alice@atlanta.com;maddr=192.0.2.1", FALSE },
  { "sip:alice@atlanta.com", "sip:alice@atlanta.com;user=ip", FALSE },
  { "sip:alice@atlanta.com;ttl=1", "sip:alice@atlanta.com", FALSE },
  { "sip:alice@atlanta.com;method=INVITE", "sip:alice@atlanta.com", FALSE },
  { "sip:alice@atlanta.com;method=INVITE", "sip:alice@atlanta.com;method=invite", TRUE },
  { "sip:alice@atlanta.com;maddr=EXAMPLE.com", "sip:alice@atlanta.com;maddr=example.com", TRUE },
  { "sip:alice@atlanta.com;lr", "sip:alice@atlanta.com;LR", TRUE },
  { "sip:alice@atlanta.com;x=A%2fB", "sip:alice@atlanta.com;X=a%2Fb", TRUE },
  { "sip:alice@atlanta.com", "sip:alice:pw@atlanta.com", FALSE },
  { "sip:alice:pw@atlanta.com", "sip:alice:PW@atlanta.com", FALSE },
  { "sip:alice:@atlanta.com", "sip:alice@atlanta.com", FALSE },
  { "sip:atlanta.com", "sip:alice@atlanta.com", FALSE },
  { "sip:alice+1@atlanta.com", "sip:alice%2B1@atlanta.com", FALSE },
  { "sip:alice%2b1@atlanta.com", "sip:alice%2B1@atlanta.com", TRUE },
  { "sip:%41lice@atlanta.com", "sip:Alice@atlanta.com", TRUE },
  { "sip:alice@atlanta.com", "sip:alice@atlanta.com.", FALSE },
  { "sip:alice@atlanta.com?Subject=x", "sip:alice@atlanta.com?subject=x", TRUE },
  { "sip:alice@atlanta.com?subject=x", "sip:alice@atlanta.com?subject=X", FALSE },
  { "sip:alice@atlanta.com?route=x&route=x", "sip:alice@atlanta.com?route=x", FALSE },
  { "sip:alice@atlanta.com?route=x&route=y", "sip:alice@atlanta.com?route=y&route=x", TRUE },
  { "sip:[2001:db8::10]", "sip:[2001:DB8:0:0:0:0:0:10]", TRUE },
  { "sip:[::ffff:192.0.2.1]", "sip:[::ffff:c000:0201]", TRUE },
  { "sip:[::1]", "sip:[::2]", FALSE },
  { "sip:192.0.2.4", "sip:192.000.002.004", TRUE },
  { "sip:alice@atlanta.com:5060", "sip:alice@atlanta.com:05060", TRUE },
  /* RFC 3966 §4 */
  { "tel:+1-201-555-0123", "tel:+12015550123", TRUE },
  { "tel:+1-201-555-0123", "tel:+1.201.555.0124", FALSE },
  { "tel:7042;phone-context=example.com", "tel:7042;phone-context=EXAMPLE.com", TRUE },
  { "tel:7042;phone-context=example.com", "tel:7042;phone-context=example.org", FALSE },
  { "tel:863-1234;phone-context=+1-914-555", "tel:8631234;phone-context=+1914555", TRUE },
  { "tel:+1555;ext=1;foo=bar", "tel:+1555;FOO=BAR;ext=1", TRUE },
  { "tel:+1555;ext=1", "tel:+1555", FALSE },
  { "tel:+1555;ext=1", "tel:+1555;ext=2", FALSE },
  { "tel:+1555;foo", "tel:+1555", FALSE },
  { "tel:12ab;phone-context=x.example", "tel:12AB;phone-context=x.example", TRUE },
  { "tel:5551234;phone-context=+1", "tel:+15551234", FALSE },
  { "tel:%23;phone-context=x.example", "tel:#;phone-context=x.example", TRUE },
  { "tel:+15551234", "sip:+15551234@example.com;user=phone", FALSE },
  /* callto: */
  { "callto:alice", "callto://alice/", TRUE },
  { "callto:alice", "callto:Alice", FALSE },
  { "callto:alice", "sip:alice@example.com", FALSE },
  { "callto:+1-555-1234", "tel:+15551234", TRUE },
  { "callto:alice@example.com", "sip:alice@EXAMPLE.com", TRUE },
};

typedef struct {
  const char *text;
  const char *expected;
} DialCase;

static const DialCase dial_cases[] = {
  { "+1 (555) 123-4567", "tel:+15551234567" },
  { "+1-555-123-4567", "tel:+15551234567" },
  { "+1.555.123.4567", "tel:+15551234567" },
  { "+15551234567", "tel:+15551234567" },
  { "00 49 30 1234567", "tel:+49301234567" },
  { "0049 (30) 123 45 67", "tel:+49301234567" },
  { "0044 20 7946 0000", "tel:+442079460000" },
  { "+44 (0)20 7946 0000", "tel:+442079460000" },
  { "+49 (0) 30 1234567", "tel:+49301234567" },
  { "+49 30/1234567", "tel:+49301234567" },
  { "555-1234", "tel:5551234" },
  { "555.123.4567", "tel:5551234567" },
  { "(555) 123 4567", "tel:5551234567" },
  { "030/1234567", "tel:0301234567" },
  { "  555 1234\n", "tel:5551234" },
  { "000", "tel:000" },
  { "112", "tel:112" },
  { "911", "tel:911" },
  { "0", "tel:0" },
  { "00", "tel:00" },
  { "001", "tel:+1" },
  { "*98", "tel:*98" },
  { "#31#", "tel:%2331%23" },
  { "*21*555 1234#", "tel:*21*5551234%23" },
  /* Unicode separators and digits, as copied from web pages */
  { "+1\302\240555\302\240123\302\2404567", "tel:+15551234567" },
  { "+1\342\200\221555\342\200\223123\342\200\2244567", "tel:+15551234567" },
  { "+1\342\210\222555\342\210\2221234", "tel:+15551234" },
  { "\342\200\216+1 555 123 4567\342\200\217", "tel:+15551234567" },
  { "+49\342\200\25730\342\200\2571234567", "tel:+49301234567" },
  { "555\302\2551234", "tel:5551234" },
  { "\357\274\213\357\274\221 \357\274\225\357\274\225\357\274\225", "tel:+1555" },
  { "\331\240\331\241\331\242\331\243\331\244\331\245\331\246\331\247\331\250\331\251",
    "tel:0123456789" },
  /* keypad letters and extensions */
  { "1-800-FLOWERS", "tel:18003569377" },
  { "1-800-flowers", "tel:18003569377" },
  { "+1 800 GOT JUNK", "tel:+18004685865" },
  { "1800MYAPPLE", "tel:18006927753" },
  { "555-1234 ext. 89", "tel:5551234;ext=89" },
  { "555-1234 Ext 89", "tel:5551234;ext=89" },
  { "+1 555 123 4567 x 89", "tel:+15551234567;ext=89" },
  { "+1 555 123 4567x89", "tel:+15551234567;ext=89" },
  { "+1 555 123 4567 extension 8-9", "tel:+15551234567;ext=89" },
  { "1-800-FLOWERS x12", "tel:18003569377;ext=12" },
  /* addresses */
  { "alice@example.com", "sip:alice@example.com" },
  { " alice@EXAMPLE.com\t", "sip:alice@example.com" },
  { "alice@example.com:5070;transport=TCP", "sip:alice@example.com:5070;transport=tcp" },
  { "+15551234@gateway.example.com", "sip:+15551234@gateway.example.com" },
  { "jos\303\251@example.com", "sip:jos%C3%A9@example.com" },
  { "alice@b\303\274cher.example", "sip:alice@xn--bcher-kva.example" },
  { "alice@[2001:db8::1]", "sip:alice@[2001:db8::1]" },
  /* URIs */
  { "sip:Alice@EXAMPLE.com", "sip:Alice@example.com" },
  { "SIPS:bob@biloxi.example.com:5061", "sips:bob@biloxi.example.com:5061" },
  { "tel:5551234", "tel:5551234" },
  { "TEL:+1-555-0123", "tel:+15550123" },
  { "tel:7042;phone-context=example.com", "tel:7042;phone-context=example.com" },
  { "callto:alice", "callto:alice" },
  { "callto://+1-555-0123/", "tel:+15550123" },
  { "sip:alice@example.com?subject=hi&route=%3Csip:x.example%3E",
    "sip:alice@example.com?subject=hi&route=%3Csip:x.example%3E" },
};

static const ErrorCase dial_error_cases[] = {
  { "", 0, DT_URI_ERROR_EMPTY },
  { "   ", 0, DT_URI_ERROR_EMPTY },
  { "\302\240\342\200\213", 0, DT_URI_ERROR_EMPTY },
  { "- ( ) -", 0, DT_URI_ERROR_EMPTY },
  { "...", 0, DT_URI_ERROR_EMPTY },
  { "alice", 0, DT_URI_ERROR_INVALID },
  { "Alice Smith", 0, DT_URI_ERROR_INVALID },
  { "FLOWERS", 0, DT_URI_ERROR_INVALID },
  { "x123", 0, DT_URI_ERROR_INVALID },
  { "5551234a", 0, DT_URI_ERROR_INVALID },
  { "555-1234 p 12", 0, DT_URI_ERROR_INVALID },
  { "555 x", 0, DT_URI_ERROR_INVALID },
  { "555 x 12 ab", 0, DT_URI_ERROR_INVALID },
  { "555 x 1*", 0, DT_URI_ERROR_INVALID },
  { "+", 0, DT_URI_ERROR_INVALID },
  { "+ - -", 0, DT_URI_ERROR_INVALID },
  { "+1*2", 0, DT_URI_ERROR_INVALID },
  { "+1 555 #", 0, DT_URI_ERROR_INVALID },
  { "1+2", 0, DT_URI_ERROR_INVALID },
  { "++1", 0, DT_URI_ERROR_INVALID },
  { "555_1234", 0, DT_URI_ERROR_INVALID },
  { "555,1234", 0, DT_URI_ERROR_INVALID },
  { "555;1234", 0, DT_URI_ERROR_INVALID },
  { "555\0011234", 0, DT_URI_ERROR_INVALID },
  { "555\3031234", 0, DT_URI_ERROR_INVALID },
  { "555\303\2511234", 0, DT_URI_ERROR_INVALID },
  { "\360\237\223\236 555", 0, DT_URI_ERROR_INVALID },
  { "alice@", 0, DT_URI_ERROR_INVALID },
  { "@example.com", 0, DT_URI_ERROR_INVALID },
  { "alice smith@example.com", 0, DT_URI_ERROR_INVALID },
  { "alice@exa mple.com", 0, DT_URI_ERROR_INVALID },
  { "alice@b\303\274cher\342\200\256.example", 0, DT_URI_ERROR_INVALID },
  { "tel:7042;phone-context=", 0, DT_URI_ERROR_INVALID },
  { "sip:alice@", 0, DT_URI_ERROR_INVALID },
  { "http://example.com", 0, DT_URI_ERROR_UNSUPPORTED_SCHEME },
  { "mailto:alice@example.com", 0, DT_URI_ERROR_UNSUPPORTED_SCHEME },
  { "+123456789012345678901", 0, DT_URI_ERROR_TOO_LONG },
  { "123 4567 8901 2345 6789 01", 0, DT_URI_ERROR_TOO_LONG },
  { "555 x 123456789012345678901", 0, DT_URI_ERROR_TOO_LONG },
};

static char *
join_params (const DtUri *uri)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < dt_uri_get_n_params (uri); i++)
    {
      const char *name;
      const char *value;

      dt_uri_get_param_at (uri, i, &name, &value);
      if (i > 0)
        g_string_append_c (out, ';');
      g_string_append (out, name);
      if (value[0] != '\0')
        g_string_append_printf (out, "=%s", value);
    }

  return g_string_free (out, FALSE);
}

static char *
join_headers (const DtUri *uri)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < dt_uri_get_n_headers (uri); i++)
    {
      const char *name;
      const char *value;

      dt_uri_get_header_at (uri, i, &name, &value);
      if (i > 0)
        g_string_append_c (out, '&');
      g_string_append_printf (out, "%s=%s", name, value);
    }

  return g_string_free (out, FALSE);
}

/* Parse(to_string(x)) equals x, and to_string() is stable */
static void
assert_round_trip (const DtUri *uri)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtUri) again = NULL;
  g_autofree char *text = dt_uri_to_string (uri);
  g_autofree char *text_again = NULL;

  again = dt_uri_parse_full (text, DT_URI_PARSE_ACCOUNT_RELATIVE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (again);
  g_assert_true (dt_uri_equal (uri, again));
  g_assert_true (dt_uri_equal (again, uri));
  g_assert_cmpint (dt_uri_get_kind (uri), ==, dt_uri_get_kind (again));
  g_assert_cmpstr (dt_uri_get_number (uri), ==, dt_uri_get_number (again));
  g_assert_cmpint (dt_uri_is_account_relative (uri), ==, dt_uri_is_account_relative (again));

  text_again = dt_uri_to_string (again);
  g_assert_cmpstr (text, ==, text_again);
}

static void
test_uri_sip (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (sip_cases); i++)
    {
      const SipCase *c = &sip_cases[i];
      g_autoptr(GError) error = NULL;
      g_autoptr(DtUri) uri = NULL;
      g_autofree char *params = NULL;
      g_autofree char *headers = NULL;
      g_autofree char *text = NULL;

      g_test_message ("%s", c->text);

      uri = dt_uri_parse (c->text, &error);
      g_assert_no_error (error);
      g_assert_nonnull (uri);

      g_assert_cmpint (dt_uri_get_kind (uri), ==, c->kind);
      g_assert_cmpstr (dt_uri_get_scheme (uri), ==,
                       c->kind == DT_URI_KIND_SIPS ? "sips" : "sip");
      g_assert_cmpstr (dt_uri_get_user (uri), ==, c->user);
      g_assert_cmpstr (dt_uri_get_password (uri), ==, c->password);
      g_assert_cmpstr (dt_uri_get_host (uri), ==, c->host);
      g_assert_cmpint (dt_uri_host_is_ipv6 (uri), ==, c->ipv6);
      g_assert_cmpuint (dt_uri_get_port (uri), ==, c->port);
      g_assert_cmpstr (dt_uri_get_number (uri), ==, c->number);
      g_assert_false (dt_uri_is_account_relative (uri));

      params = join_params (uri);
      g_assert_cmpstr (params, ==, c->params);
      headers = join_headers (uri);
      g_assert_cmpstr (headers, ==, c->headers);

      text = dt_uri_to_string (uri);
      g_assert_cmpstr (text, ==, c->canonical);

      assert_round_trip (uri);
    }
}

static void
test_uri_sip_accessors (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtUri) uri = NULL;
  g_autoptr(DtUri) phone = NULL;
  const char *name;
  const char *value;

  uri = dt_uri_parse ("sip:bob@biloxi.com;Transport=TCP;lr;x=%41%2f"
                      "?Subject=Hi%20there&Route=a&route=b",
                      &error);
  g_assert_no_error (error);

  g_assert_cmpuint (dt_uri_get_n_params (uri), ==, 3);
  g_assert_cmpstr (dt_uri_get_param (uri, "transport"), ==, "tcp");
  g_assert_cmpstr (dt_uri_get_param (uri, "TRANSPORT"), ==, "tcp");
  g_assert_cmpstr (dt_uri_get_param (uri, "lr"), ==, "");
  g_assert_cmpstr (dt_uri_get_param (uri, "x"), ==, "A/");
  g_assert_null (dt_uri_get_param (uri, "maddr"));

  dt_uri_get_param_at (uri, 0, &name, &value);
  g_assert_cmpstr (name, ==, "transport");
  g_assert_cmpstr (value, ==, "tcp");
  dt_uri_get_param_at (uri, 1, &name, NULL);
  g_assert_cmpstr (name, ==, "lr");
  dt_uri_get_param_at (uri, 2, NULL, &value);
  g_assert_cmpstr (value, ==, "A/");

  g_assert_cmpuint (dt_uri_get_n_headers (uri), ==, 3);
  g_assert_cmpstr (dt_uri_get_header (uri, "subject"), ==, "Hi there");
  g_assert_cmpstr (dt_uri_get_header (uri, "ROUTE"), ==, "a");
  g_assert_null (dt_uri_get_header (uri, "via"));
  dt_uri_get_header_at (uri, 2, &name, &value);
  g_assert_cmpstr (name, ==, "route");
  g_assert_cmpstr (value, ==, "b");

  g_assert_null (dt_uri_get_number (uri));
  g_assert_false (dt_uri_is_global_number (uri));
  g_assert_null (dt_uri_get_phone_context (uri));
  g_assert_null (dt_uri_get_extension (uri));

  phone = dt_uri_parse ("sip:863-1234;phone-context=+1-914-555;ext=7@gw.example.com;user=phone",
                        &error);
  g_assert_no_error (error);
  g_assert_cmpstr (dt_uri_get_number (phone), ==, "8631234");
  g_assert_false (dt_uri_is_global_number (phone));
  g_assert_cmpstr (dt_uri_get_phone_context (phone), ==, "+1914555");
  g_assert_cmpstr (dt_uri_get_extension (phone), ==, "7");
  g_assert_false (dt_uri_is_account_relative (phone));
}

static void
test_uri_tel (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (tel_cases); i++)
    {
      const TelCase *c = &tel_cases[i];
      g_autoptr(GError) error = NULL;
      g_autoptr(DtUri) uri = NULL;
      g_autofree char *params = NULL;
      g_autofree char *text = NULL;

      g_test_message ("%s", c->text);

      uri = dt_uri_parse_full (c->text, c->flags, &error);
      g_assert_no_error (error);
      g_assert_nonnull (uri);

      g_assert_cmpint (dt_uri_get_kind (uri), ==, DT_URI_KIND_TEL);
      g_assert_cmpstr (dt_uri_get_scheme (uri), ==, "tel");
      g_assert_cmpstr (dt_uri_get_number (uri), ==, c->number);
      g_assert_cmpint (dt_uri_is_global_number (uri), ==, c->global);
      g_assert_cmpstr (dt_uri_get_phone_context (uri), ==, c->phone_context);
      g_assert_cmpstr (dt_uri_get_extension (uri), ==, c->extension);
      g_assert_cmpint (dt_uri_is_account_relative (uri), ==, c->account_relative);
      g_assert_null (dt_uri_get_user (uri));
      g_assert_null (dt_uri_get_host (uri));
      g_assert_cmpuint (dt_uri_get_port (uri), ==, 0);
      g_assert_cmpuint (dt_uri_get_n_headers (uri), ==, 0);

      params = join_params (uri);
      g_assert_cmpstr (params, ==, c->params);

      text = dt_uri_to_string (uri);
      g_assert_cmpstr (text, ==, c->canonical);

      assert_round_trip (uri);
    }
}

static void
test_uri_callto (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (callto_cases); i++)
    {
      const CalltoCase *c = &callto_cases[i];
      g_autoptr(GError) error = NULL;
      g_autoptr(DtUri) uri = NULL;
      g_autofree char *text = NULL;

      g_test_message ("%s", c->text);

      uri = dt_uri_parse (c->text, &error);
      g_assert_no_error (error);
      g_assert_nonnull (uri);

      g_assert_cmpint (dt_uri_get_kind (uri), ==, c->kind);
      g_assert_cmpstr (dt_uri_get_user (uri), ==, c->user);
      g_assert_cmpstr (dt_uri_get_host (uri), ==, c->host);
      g_assert_cmpstr (dt_uri_get_number (uri), ==, c->number);
      g_assert_cmpint (dt_uri_is_account_relative (uri), ==, c->account_relative);
      g_assert_cmpuint (dt_uri_get_n_headers (uri), ==, 0);

      text = dt_uri_to_string (uri);
      g_assert_cmpstr (text, ==, c->canonical);

      assert_round_trip (uri);
    }
}

static void
test_uri_errors (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (error_cases); i++)
    {
      const ErrorCase *c = &error_cases[i];
      g_autoptr(GError) error = NULL;
      g_autoptr(DtUri) uri = NULL;
      g_autofree char *escaped = g_strescape (c->text, NULL);

      g_test_message ("%s", escaped);

      uri = dt_uri_parse_full (c->text, c->flags, &error);
      g_assert_error (error, DT_URI_ERROR, (int) c->code);
      g_assert_null (uri);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      g_assert_cmpstr (error->message, !=, "");
    }
}

static void
test_uri_error_messages (void)
{
  static const struct {
    const char *text;
    const char *fragment;
  } cases[] = {
    { "sip:alice@example.com:99999", "Port “99999” is out of range" },
    { "sip:alice@example.com:0", "Port “0” is out of range" },
    { "sip:alice@example.com:5o6o", "Port “5o6o” is not a number" },
    { "http://example.com", "“http:”" },
    { "SKYPE:echo123", "“SKYPE:”" },
    { "sip:alice smith@example.com", "space after “sip:alice”" },
    { "sip:alice@[2001:db8::1", "closing “]”" },
    { "sip:alice@[2001:db8::g]", "“2001:db8::g” is not a valid IPv6 address" },
    { "sip:2001:db8::1", "brackets" },
    { "sip:alice@256.1.1.1", "“256.1.1.1” is not a valid IPv4 address" },
    { "sip:alice@-x.example", "“-x.example” is not a valid host name" },
    { "sip:alice@exa_mple.com", "“_”" },
    { "sip:alice%zz@example.com", "“%zz” in the user name" },
    { "sip:alice%00@example.com", "%00" },
    { "sip:al<ice@example.com", "“%3C”" },
    { "sip:alice@example.com;lr;lr", "“lr” appears more than once" },
    { "tel:7042", "phone-context" },
    { "tel:+1555;ext=12a", "“a” cannot be part of the extension" },
    { "tel:+123456789012345678901", "more than 20 digits" },
    { "callto:", "no address" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(DtUri) uri = NULL;

      uri = dt_uri_parse (cases[i].text, &error);
      g_assert_nonnull (error);
      g_assert_null (uri);

      if (strstr (error->message, cases[i].fragment) == NULL)
        g_error ("“%s” gave “%s”, which lacks “%s”",
                 cases[i].text, error->message, cases[i].fragment);
    }
}

static void
test_uri_too_long (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtUri) uri = NULL;
  g_autoptr(GString) text = g_string_new ("sip:");
  g_autoptr(GString) padded = NULL;
  g_autofree char *dial = NULL;

  /* exactly at the limit */
  while (text->len < DT_URI_MAX_LENGTH - strlen ("@example.com"))
    g_string_append_c (text, 'a');
  g_string_append (text, "@example.com");
  g_assert_cmpuint (text->len, ==, DT_URI_MAX_LENGTH);

  uri = dt_uri_parse (text->str, &error);
  g_assert_no_error (error);
  g_assert_nonnull (uri);
  g_clear_pointer (&uri, dt_uri_unref);

  /* whitespace around does not count */
  padded = g_string_new (text->str);
  g_string_prepend (padded, "   ");
  g_string_append (padded, "\n");
  uri = dt_uri_parse (padded->str, &error);
  g_assert_no_error (error);
  g_clear_pointer (&uri, dt_uri_unref);

  g_string_insert_c (text, 4, 'a');
  uri = dt_uri_parse (text->str, &error);
  g_assert_error (error, DT_URI_ERROR, DT_URI_ERROR_TOO_LONG);
  g_assert_null (uri);
  g_clear_error (&error);

  dial = dt_uri_normalize_dial_string (text->str, &error);
  g_assert_error (error, DT_URI_ERROR, DT_URI_ERROR_TOO_LONG);
  g_assert_null (dial);
  g_clear_error (&error);

  /* a huge input is refused without being read to the end */
  g_string_set_size (text, 0);
  for (guint i = 0; i < 100000; i++)
    g_string_append (text, "1 ");
  dial = dt_uri_normalize_dial_string (text->str, &error);
  g_assert_error (error, DT_URI_ERROR, DT_URI_ERROR_TOO_LONG);
  g_assert_null (dial);
  g_clear_error (&error);

  uri = dt_uri_parse (text->str, &error);
  g_assert_error (error, DT_URI_ERROR, DT_URI_ERROR_TOO_LONG);
  g_assert_null (uri);
}

static void
test_uri_equal (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (equal_cases); i++)
    {
      const EqualCase *c = &equal_cases[i];
      g_autoptr(GError) error = NULL;
      g_autoptr(DtUri) a = NULL;
      g_autoptr(DtUri) b = NULL;

      g_test_message ("%s %s %s", c->a, c->equal ? "==" : "!=", c->b);

      a = dt_uri_parse (c->a, &error);
      g_assert_no_error (error);
      b = dt_uri_parse (c->b, &error);
      g_assert_no_error (error);

      g_assert_true (dt_uri_equal (a, a));
      g_assert_true (dt_uri_equal (b, b));
      g_assert_cmpint (dt_uri_equal (a, b), ==, c->equal);
      g_assert_cmpint (dt_uri_equal (b, a), ==, c->equal);
    }
}

static void
test_uri_dup_safe (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtUri) uri = NULL;
  g_autoptr(DtUri) safe = NULL;
  g_autoptr(DtUri) tel = NULL;
  g_autoptr(DtUri) tel_copy = NULL;
  g_autoptr(DtUri) plain = NULL;
  g_autoptr(DtUri) plain_copy = NULL;
  g_autoptr(DtUri) relative = NULL;
  g_autoptr(DtUri) relative_copy = NULL;
  g_autofree char *text = NULL;
  g_autofree char *original = NULL;

  uri = dt_uri_parse ("sip:alice:pw@atlanta.com:5061;maddr=evil.example;transport=TCP;ttl=5;"
                      "method=REGISTER;lr;x-tag=1"
                      "?Subject=Lunch&priority=urgent&Route=%3Csip:evil.example%3Blr%3E"
                      "&body=v%3D0&From=sip:mallory%40evil.example&In-Reply-To=70710%40host"
                      "&Call-ID=1&Via=SIP/2.0/UDP%20evil.example&Contact=%3Csip:evil.example%3E"
                      "&CSeq=1%20INVITE&Max-Forwards=0&Record-Route=x&To=y&s=short&Accept=a"
                      "&Content-Type=application/sdp&User-Agent=x",
                      &error);
  g_assert_no_error (error);
  original = dt_uri_to_string (uri);

  safe = dt_uri_dup_safe (uri);
  text = dt_uri_to_string (safe);
  g_assert_cmpstr (text, ==,
                   "sip:alice:pw@atlanta.com:5061;transport=tcp;lr;x-tag=1"
                   "?Subject=Lunch&priority=urgent&In-Reply-To=70710%40host&s=short");
  g_assert_null (dt_uri_get_param (safe, "maddr"));
  g_assert_null (dt_uri_get_param (safe, "ttl"));
  g_assert_null (dt_uri_get_param (safe, "method"));
  g_assert_cmpstr (dt_uri_get_param (safe, "transport"), ==, "tcp");
  g_assert_null (dt_uri_get_header (safe, "route"));
  g_assert_null (dt_uri_get_header (safe, "body"));
  g_assert_cmpstr (dt_uri_get_header (safe, "in-reply-to"), ==, "70710@host");
  assert_round_trip (safe);
  g_clear_pointer (&text, g_free);

  /* the original is untouched */
  text = dt_uri_to_string (uri);
  g_assert_cmpstr (text, ==, original);
  g_assert_cmpuint (dt_uri_get_n_headers (uri), ==, 17);

  plain = dt_uri_parse ("sips:bob@biloxi.example.com;transport=tls", &error);
  g_assert_no_error (error);
  plain_copy = dt_uri_dup_safe (plain);
  g_assert_true (dt_uri_equal (plain, plain_copy));
  g_assert_true (plain != plain_copy);

  tel = dt_uri_parse ("tel:863-1234;phone-context=+1-914-555;ext=1;foo=bar", &error);
  g_assert_no_error (error);
  tel_copy = dt_uri_dup_safe (tel);
  g_assert_true (dt_uri_equal (tel, tel_copy));
  g_assert_cmpstr (dt_uri_get_extension (tel_copy), ==, "1");
  g_assert_cmpstr (dt_uri_get_phone_context (tel_copy), ==, "+1914555");

  relative = dt_uri_parse ("callto:alice", &error);
  g_assert_no_error (error);
  relative_copy = dt_uri_dup_safe (relative);
  g_assert_true (dt_uri_equal (relative, relative_copy));
  g_assert_true (dt_uri_is_account_relative (relative_copy));
}

static void
test_uri_normalize (void)
{
  static const struct {
    const char *text;
    const char *expected;
  } cases[] = {
    { "SIP:Alice@EXAMPLE.com:5060;Transport=TCP", "sip:Alice@example.com:5060;transport=tcp" },
    { " sips:%62ob@Biloxi.COM ", "sips:bob@biloxi.com" },
    { "tel:+1-201-555-0123", "tel:+12015550123" },
    { "callto:alice", "callto:alice" },
    { "callto:5551234", "tel:5551234" },
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *none = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = dt_uri_normalize (cases[i].text, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (text, ==, cases[i].expected);
    }

  none = dt_uri_normalize ("tel:7042", &error);
  g_assert_error (error, DT_URI_ERROR, DT_URI_ERROR_INVALID);
  g_assert_null (none);
  g_clear_error (&error);

  none = dt_uri_normalize ("", &error);
  g_assert_error (error, DT_URI_ERROR, DT_URI_ERROR_EMPTY);
  g_assert_null (none);
}

static void
test_uri_dial_string (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (dial_cases); i++)
    {
      const DialCase *c = &dial_cases[i];
      g_autoptr(GError) error = NULL;
      g_autoptr(DtUri) uri = NULL;
      g_autofree char *text = NULL;
      g_autofree char *again = NULL;

      g_test_message ("%s", c->text);

      text = dt_uri_normalize_dial_string (c->text, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (text, ==, c->expected);

      /* the result reads back, and is already normal */
      uri = dt_uri_parse_full (text, DT_URI_PARSE_ACCOUNT_RELATIVE, &error);
      g_assert_no_error (error);
      assert_round_trip (uri);

      again = dt_uri_normalize_dial_string (text, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (again, ==, text);
    }
}

static void
test_uri_dial_string_numbers (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtUri) uri = NULL;
  g_autofree char *text = NULL;

  text = dt_uri_normalize_dial_string ("555-1234 ext. 89", &error);
  g_assert_no_error (error);
  uri = dt_uri_parse_full (text, DT_URI_PARSE_ACCOUNT_RELATIVE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (dt_uri_get_number (uri), ==, "5551234");
  g_assert_cmpstr (dt_uri_get_extension (uri), ==, "89");
  g_assert_true (dt_uri_is_account_relative (uri));
  g_assert_false (dt_uri_is_global_number (uri));
  g_clear_pointer (&uri, dt_uri_unref);
  g_clear_pointer (&text, g_free);

  /* a local number from the dial pad is not a link: the strict parser
   * asks for a phone-context */
  text = dt_uri_normalize_dial_string ("555-1234", &error);
  g_assert_no_error (error);
  uri = dt_uri_parse (text, &error);
  g_assert_error (error, DT_URI_ERROR, DT_URI_ERROR_INVALID);
  g_assert_null (uri);
  g_clear_error (&error);
  g_clear_pointer (&text, g_free);

  text = dt_uri_normalize_dial_string ("#31#", &error);
  g_assert_no_error (error);
  uri = dt_uri_parse_full (text, DT_URI_PARSE_ACCOUNT_RELATIVE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (dt_uri_get_number (uri), ==, "#31#");
}

static void
test_uri_dial_string_errors (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (dial_error_cases); i++)
    {
      const ErrorCase *c = &dial_error_cases[i];
      g_autoptr(GError) error = NULL;
      g_autofree char *text = NULL;
      g_autofree char *escaped = g_strescape (c->text, NULL);

      g_test_message ("%s", escaped);

      text = dt_uri_normalize_dial_string (c->text, &error);
      g_assert_error (error, DT_URI_ERROR, (int) c->code);
      g_assert_null (text);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
    }
}

static void
test_uri_dial_string_messages (void)
{
  static const struct {
    const char *text;
    const char *fragment;
  } cases[] = {
    { "alice", "“alice” is neither a phone number nor an address" },
    { "555_1234", "“_” cannot be part of a phone number" },
    { "555\303\2511234", "“\303\251” cannot be part of a phone number" },
    { "555-1234 p 12", "“p” cannot be part of a phone number" },
    { "+1*2", "“*” and “#”" },
    { "http://example.com", "“http:”" },
    /* a right-to-left override is not copied into the message */
    { "alice@b\303\274cher\342\200\256.example", "“b\303\274cher\357\277\275.example”" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *text = NULL;

      text = dt_uri_normalize_dial_string (cases[i].text, &error);
      g_assert_nonnull (error);
      g_assert_null (text);

      if (strstr (error->message, cases[i].fragment) == NULL)
        g_error ("“%s” gave “%s”, which lacks “%s”",
                 cases[i].text, error->message, cases[i].fragment);
    }
}

static void
test_uri_boxed (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtUri) uri = NULL;
  DtUri *copy;

  g_assert_true (G_TYPE_IS_BOXED (DT_TYPE_URI));
  g_assert_cmpstr (g_type_name (DT_TYPE_URI), ==, "DtUri");

  uri = dt_uri_parse ("sip:alice@example.com", &error);
  g_assert_no_error (error);

  copy = g_boxed_copy (DT_TYPE_URI, uri);
  g_assert_true (copy == uri);
  g_boxed_free (DT_TYPE_URI, copy);

  g_assert_true (dt_uri_ref (uri) == uri);
  dt_uri_unref (uri);
  g_assert_cmpstr (dt_uri_get_user (uri), ==, "alice");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/uri/sip", test_uri_sip);
  g_test_add_func ("/uri/sip-accessors", test_uri_sip_accessors);
  g_test_add_func ("/uri/tel", test_uri_tel);
  g_test_add_func ("/uri/callto", test_uri_callto);
  g_test_add_func ("/uri/errors", test_uri_errors);
  g_test_add_func ("/uri/error-messages", test_uri_error_messages);
  g_test_add_func ("/uri/too-long", test_uri_too_long);
  g_test_add_func ("/uri/equal", test_uri_equal);
  g_test_add_func ("/uri/dup-safe", test_uri_dup_safe);
  g_test_add_func ("/uri/normalize", test_uri_normalize);
  g_test_add_func ("/uri/dial-string", test_uri_dial_string);
  g_test_add_func ("/uri/dial-string-numbers", test_uri_dial_string_numbers);
  g_test_add_func ("/uri/dial-string-errors", test_uri_dial_string_errors);
  g_test_add_func ("/uri/dial-string-messages", test_uri_dial_string_messages);
  g_test_add_func ("/uri/boxed", test_uri_boxed);

  return g_test_run ();
}
