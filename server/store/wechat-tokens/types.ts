// The WeChat access token every instance shares, one per AppID, and the lease that lets one instance at a time refresh it.

/** The stored token of an AppID. Never log it: it is a credential. */
export interface WechatTokenRecord {
  appId: string;
  /** Null until the first refresh. */
  accessToken: string | null;
  /** When WeChat stops taking it (epoch ms). */
  expiresAt: number | null;
  refreshedAt: number | null;
  /** The instance refreshing it now, until leaseUntil. */
  leaseHolder: string | null;
  leaseUntil: number | null;
}

export interface WechatTokenStore {
  getWechatToken(appId: string): Promise<WechatTokenRecord | undefined>;
  /**
   * Takes the refresh lease of `appId` for `holder` until `until`, when nobody holds it (or the
   * holder's lease ended by `now`, or it is `holder`'s already): true when taken. One statement, so
   * of instances asking at once exactly one gets it.
   */
  leaseWechatTokenRefresh(appId: string, holder: string, now: number, until: number): Promise<boolean>;
  /** Stores a fresh token and ends `holder`'s lease (the token is stored even when the lease was lost meanwhile: it is WeChat's current one). */
  saveWechatToken(appId: string, holder: string, token: { accessToken: string; expiresAt: number }, now: number): Promise<void>;
  /** Ends `holder`'s lease without a token (the refresh failed), so another instance may try at once. */
  releaseWechatTokenLease(appId: string, holder: string): Promise<void>;
}
