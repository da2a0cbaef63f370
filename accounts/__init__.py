"""Our own users, sessions and roles. WeChat proves who someone is (wechat/); we decide what they may do."""
