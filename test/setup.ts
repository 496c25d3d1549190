// Every suite: no test may reach the network. Loopback stays open for the
// end-to-end tests' own servers (the fake GitHub and heaven itself).
import nock from "nock";

nock.disableNetConnect();
nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
