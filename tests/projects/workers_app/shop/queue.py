from huey import RedisHuey

huey = RedisHuey("shop")
